// What the control plane keeps with the nodes added from this computer, while it runs (`kubelab
// serve`, the app): the reverse tunnels of --tunnel nodes, and, when it is served at another
// address than a node was told (the laptop moved), that node's API address updated over SSH the
// next time it is reached. Nodes that log in with a password are left alone unless the desktop
// app remembered it in the OS keychain (ssh/secret-vault.ts); a remembered key passphrase is used
// too.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { connectNode, flagsOf } from './cli/connect-node.ts';
import { apiAddress } from './cli/node-commands.ts';
import { NodeRegistry, type NodeRecord } from './cli/node-registry.ts';
import { serviceControl } from './install/agent-service.ts';
import { NODE_PATHS } from './install/node-layout.ts';
import { SecretVault } from './ssh/secret-vault.ts';
import { gatherFacts } from './preflight/host-facts.ts';
import { root } from './join/remote-commands.ts';
import type { RemoteHost } from './remote-host.ts';
import { TunnelKeeper } from './tunnel/tunnel-keeper.ts';

export interface NodeLinks {
  stop(): Promise<void>;
}

const RETRY_MS = 60_000;
const isLoopback = (url: string) => ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(new URL(url).hostname);

export async function startNodeLinks(opts: { dataDir: string; serverURL: string; log: (line: string) => void; rescanMs?: number; secrets?: SecretVault }): Promise<NodeLinks> {
  const registry = new NodeRegistry(opts.dataDir);
  const secrets = opts.secrets ?? new SecretVault(opts.dataDir, undefined);
  // A registry that cannot be read (edited by hand) stops no control plane: it is said, once.
  let unreadable = '';
  const keyed = (): [string, NodeRecord][] => {
    if (!existsSync(join(opts.dataDir, 'nodes.json'))) return [];
    try {
      return Object.entries(registry.all()).filter(([name, r]) => r.auth !== 'password' || secrets.password(name) !== undefined);
    } catch (e) {
      const why = `nodes: cannot read ${join(opts.dataDir, 'nodes.json')}: ${(e as Error).message}`;
      if (why !== unreadable) opts.log((unreadable = why));
      return [];
    }
  };
  const nodes = keyed();
  const keeper = new TunnelKeeper(opts.log);
  // Read at each connect: a secret remembered or replaced since is the one used.
  const connect = (name: string, r: NodeRecord) => () => connectNode(opts.dataDir, flagsOf(r, secrets.password(name), secrets.passphrase(name, r.keyPath)), opts.log);
  // Tunnels of nodes added while this runs (node add --tunnel) are picked up at the next look.
  const tunnelled = new Set<string>();
  const startTunnels = () => keeper.start(keyed().filter(([name, r]) => r.tunnelPort !== undefined && !tunnelled.has(name)).map(([nodeName, r]) => {
    tunnelled.add(nodeName);
    return { nodeName, remotePort: r.tunnelPort!, api: apiAddress(opts.serverURL), connect: connect(nodeName, r) };
  }));
  await startTunnels();
  const rescan = setInterval(() => void startTunnels(), opts.rescanMs ?? 5000);
  rescan.unref();
  // Only an address other machines reach is worth telling them.
  const moved = isLoopback(opts.serverURL) ? [] : nodes.filter(([, r]) => r.tunnelPort === undefined && r.server !== opts.serverURL);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const update = async (pending: [string, NodeRecord][]): Promise<void> => {
    const left: [string, NodeRecord][] = [];
    for (const [name, record] of pending) {
      if (stopped) return;
      try {
        const host = await connect(name, record)();
        try {
          await setServer(host, opts.serverURL);
        } finally {
          await host.close();
        }
        registry.set(name, { ...registry.get(name)!, server: opts.serverURL });
        opts.log(`nodes: told ${name} the API is now at ${opts.serverURL}`);
      } catch (e) {
        opts.log(`nodes: ${name} still has the API at ${record.server} (${(e as Error).message}); trying again in ${RETRY_MS / 1000} s`);
        left.push([name, record]);
      }
    }
    if (left.length > 0 && !stopped) timer = setTimeout(() => void update(left), RETRY_MS);
  };
  const first = update(moved);
  return {
    stop: async () => {
      stopped = true;
      clearInterval(rescan);
      if (timer) clearTimeout(timer);
      await first;
      await keeper.stop();
    },
  };
}

/**
 * Rewrites the --server of the installed agent service and restarts it (its containers keep
 * running; its credential stays). Works on the unit, the OpenRC script and the supervisor alike:
 * the address is one word after --server in each, quoted or not.
 */
export async function setServer(host: RemoteHost, serverURL: string): Promise<void> {
  const { facts } = await gatherFacts(host);
  const service = serviceControl(facts.init);
  const file = service.paths[0]!;
  const current = (await host.run(`cat ${file}`, { sudo: true })).stdout;
  const updated = current.replace(/(--server'? '?)[^\s']+/, `$1${serverURL}`);
  if (updated === current) return;
  await host.upload(Buffer.from(updated), file, { sudo: true, mode: facts.init === 'systemd' ? 0o644 : 0o755 });
  await root(host, `${service.stop} >/dev/null 2>&1; ${service.start}`, `restarting the agent at ${NODE_PATHS.bundle}`);
}
