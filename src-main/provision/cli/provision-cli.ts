// `kubelab node …`, `kubelab image load …` and `kubelab lab …`: flags parsed here, work done by
// node-commands.ts and lab-commands.ts. Bad flags are a ProvisionUsageError (one line, exit 2).
import { labNameProblem } from '../lab/names.ts';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../../control-plane.ts';
import { ConnectUsageError, readStdin } from './connect-node.ts';
import { addNode, listNodes, removeNamedNode, upgradeAll } from './node-commands.ts';

export class ProvisionUsageError extends Error {}

export const provisionUsage = `usage:
  kubelab node add [user@]host [--key FILE | --password-stdin] [--jump user@host] [--node-name N]
                   [--node-ip IP] [--runtime runc|crun] [--server URL] [--install-deps] [--dry-run] [--yes]
                   [--tunnel [--tunnel-port P]]   (a node that cannot reach this computer: its API
                   traffic goes through an SSH tunnel that the control plane keeps open)
  kubelab node list
  kubelab node upgrade [NAME ...] [--password-stdin]
  kubelab node remove NAME [--force] [--password-stdin]
  kubelab image load ARCHIVE [--node NAME ...]
  kubelab lab up [--nodes N] [--port P] [--name LAB]
                   (P: the lab's control plane, when it starts one; LAB: its hosts' names and
                   interfaces, default kl, for several labs on one machine)
  kubelab lab down
  (all take --data-dir DIR)`;

const options = {
  'data-dir': { type: 'string' },
  key: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  jump: { type: 'string' },
  'node-name': { type: 'string' },
  'node-ip': { type: 'string' },
  runtime: { type: 'string' },
  server: { type: 'string' },
  'install-deps': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  tunnel: { type: 'boolean' },
  'tunnel-port': { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  force: { type: 'boolean' },
  node: { type: 'string', multiple: true },
  nodes: { type: 'string' },
  name: { type: 'string' },
  port: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function portFlag(flag: string, text: string | undefined, allowZero = false): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < (allowZero ? 0 : 1) || n > 65535) throw new ProvisionUsageError(`${flag} must be a port number${allowZero ? ' (0 for any free one)' : ''}, not "${text}"`);
  return n;
}

/** The agent bundle to upload: built from this checkout (about a second). */
export async function agentBundle(): Promise<Buffer> {
  const { buildAgentBundle } = await import('../../bin/agent-bundle.js');
  return readFileSync(await buildAgentBundle());
}

export async function provisionMain(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true });
  } catch (e) {
    throw new ProvisionUsageError((e as Error).message);
  }
  const { values: v, positionals } = parsed;
  const [group, verb, ...args] = positionals;
  if (v.help || !verb) {
    process.stdout.write(`${provisionUsage}\n`);
    return;
  }
  const dataDir = v['data-dir'] ?? defaultDataDir();
  const password = v['password-stdin'] ? readStdin() : undefined;
  const runtime = v.runtime;
  if (runtime !== undefined && runtime !== 'runc' && runtime !== 'crun') throw new ProvisionUsageError(`--runtime must be runc or crun, not "${runtime}"`);
  const one = (what: string) => {
    if (args.length !== 1) throw new ProvisionUsageError(`${group} ${verb} takes one ${what}${args.length > 1 ? `, not ${args.length}` : ''}`);
    return args[0]!;
  };
  try {
    switch (`${group} ${verb}`) {
      case 'node add': {
        const result = await addNode(dataDir, {
          address: one('[user@]host'), key: v.key, password, jump: v.jump, yes: v.yes, nodeName: v['node-name'], nodeIP: v['node-ip'],
          runtime, server: v.server, installDeps: v['install-deps'], dryRun: v['dry-run'], tunnel: v.tunnel, tunnelPort: portFlag('--tunnel-port', v['tunnel-port']),
        }, agentBundle);
        const said = { joined: 'joined', repaired: 'repaired and joined', 'already-joined': 'already joined: nothing to do', 'dry-run': 'dry run: preflight passed, nothing was changed' }[result.outcome];
        process.stdout.write(`node ${result.nodeName}: ${said}${result.service && result.outcome !== 'dry-run' ? ` (agent kept running by ${result.service})` : ''}\n`);
        return;
      }
      case 'node list':
        process.stdout.write(await listNodes(dataDir));
        return;
      case 'node upgrade':
        process.stdout.write(await upgradeAll(dataDir, args, password, agentBundle));
        return;
      case 'node remove':
        process.stdout.write(await removeNamedNode(dataDir, one('node name'), { force: v.force, password }));
        return;
      default: {
        if (group === 'lab' && (verb === 'up' || verb === 'down')) {
          const lab = await import('./lab-commands.ts');
          const nodes = v.nodes === undefined ? 3 : Number(v.nodes);
          if (!Number.isInteger(nodes) || nodes < 1 || nodes > 20) throw new ProvisionUsageError(`--nodes must be a whole number from 1 to 20, not "${v.nodes}"`);
          const problem = v.name === undefined ? undefined : labNameProblem(v.name);
          if (problem) throw new ProvisionUsageError(`--name: ${problem}`);
          process.stdout.write(verb === 'up' ? await lab.labUp(dataDir, { nodes, port: portFlag('--port', v.port, true), name: v.name }, agentBundle) : await lab.labDown(dataDir));
          return;
        }
        if (group === 'image' && verb === 'load') {
          const { imageLoad } = await import('./image-commands.ts');
          process.stdout.write(await imageLoad(dataDir, one('archive'), v.node ?? [], password));
          return;
        }
        throw new ProvisionUsageError(`unknown command "${group} ${verb}" (try kubelab ${group} --help)`);
      }
    }
  } catch (e) {
    if (e instanceof ConnectUsageError) throw new ProvisionUsageError(e.message);
    throw e;
  }
}
