// `kubelab`: serve | kubeconfig | start. Errors are one line on stderr and a non-zero exit.
// Later issues add subcommands (node add, lab up, ...); these names and flags stay stable.
import { parseArgs } from 'node:util';
import { defaultDataDir } from './control-plane.ts';
import { ClusterNetworkError, defaultClusterNetwork } from './cluster-config/cluster-network.ts';
import type { StartArgs } from './start.ts';
import { adminKubeconfig, KubeconfigError } from './kubeconfig.ts';
import { StoreLockedError } from './store/store.ts';
import { EncryptionConfigError } from './api/encryption/encryption-config.ts';
import { parseGoDuration } from './util/go-duration.ts';

const usage = `usage: kubelab <command> [flags]

commands:
  start        the desktop app (or, without Electron, the same UI in the browser)
  serve        the control plane and the UI over HTTPS, for headless machines
  kubeconfig   print an admin kubeconfig for the cluster
  kubeconfig --user NAME [--role ROLE] [--namespace NS]
               a kubeconfig for a teammate (a client certificate for NAME) and, with --role,
               the ClusterRole ROLE (view, edit, admin...) granted to NAME in NS or everywhere
  controller-manager --kubeconfig FILE [--cluster-signing-cert-file F --cluster-signing-key-file F]
               the controllers and the scheduler against the API in FILE (serve starts it);
               with the CA's files, its CSR signer signs approved CertificateSigningRequests
  agent --kubeconfig FILE [--node-name NAME] [--state-dir DIR] [--runtime runc|crun] [...]
               this machine as a worker node of the cluster in FILE, in the foreground
  node add [user@]host | node list | node upgrade | node remove NAME
               bootstrap, upgrade and remove worker nodes over SSH (kubelab node --help)
  image load ARCHIVE [--node NAME ...]
               copy an image archive (docker save, OCI) to the nodes, for labs without internet
  lab up [--nodes N] | lab down
               a local lab: test hosts in network namespaces, joined over SSH (Linux, root)
  secrets rotate-key
               a new key for the Secrets encrypted at rest; every Secret is rewritten with it
               and the old key removed (with the server stopped)

flags:
  --data-dir DIR   where the cluster lives (default ${defaultDataDir()})
  --port N         HTTPS port (default 6443; 0 picks a free one)
  --address A      address to listen on (default 127.0.0.1)
  --advertise-address IP  (serve, start) where pods reach the API: the \`kubernetes\` service's
                   endpoints (default: --address when pods can reach it, else the address of
                   the interface with the default route)
  --cluster-cidr CIDR     (serve, start) the pod range of a new cluster (default ${defaultClusterNetwork.clusterCIDR})
  --service-cidr CIDR     (serve, start) the service range of a new cluster, at most a /12
                   (default ${defaultClusterNetwork.serviceCIDR})
  --node-cidr-mask-size N (serve, start) the size of each node's podCIDR block (default ${defaultClusterNetwork.nodeCIDRMaskSize});
                   the three ranges are recorded when the cluster is created and cannot change
  --simulate-nodes N  (serve, start) run N hollow nodes sim-1 … sim-N (4 CPU, 16 GiB each):
                   a cluster to try the UI and kubectl on, with no machines
  --cluster-signing-duration D  (serve, controller-manager) the longest certificate the cluster
                   CA signs, for node joins and CertificateSigningRequests: a Go duration such
                   as 8760h (the default, a year), 720h or 30m
  --no-controllers (serve) the API only, without the controllers and the scheduler (run them
                   elsewhere with controller-manager, or measure the API on its own)
  --server URL     (kubeconfig) the server URL to write instead of the last served one`;

class UsageError extends Error {}
/** A failure the message says all of: printed without a stack, exit 1. */
class OneLineError extends Error {}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        address: { type: 'string' },
        'advertise-address': { type: 'string' },
        'cluster-cidr': { type: 'string' },
        'service-cidr': { type: 'string' },
        'node-cidr-mask-size': { type: 'string' },
        server: { type: 'string' },
        user: { type: 'string' },
        role: { type: 'string' },
        namespace: { type: 'string' },
        'simulate-nodes': { type: 'string' },
        kubeconfig: { type: 'string' },
        'no-controllers': { type: 'boolean' },
        'cluster-signing-cert-file': { type: 'string' },
        'cluster-signing-key-file': { type: 'string' },
        'cluster-signing-duration': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function countOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 100_000) throw new UsageError(`--simulate-nodes must be a whole number from 0 to 100000, not "${value}"`);
  return n;
}

function portOf(value: string | undefined): number {
  if (value === undefined) return 6443;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not "${value}"`);
  return n;
}

/** A close that has not finished by then is cut short: every acknowledged write is in the log already. */
const CLOSE_DEADLINE_MS = 15_000;

/** Stops the control plane on SIGINT/SIGTERM, so the store closes cleanly. */
function closeOnSignals(cp: { close(): Promise<void> }): void {
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    setTimeout(() => {
      process.stderr.write(`kubelab: still closing after ${CLOSE_DEADLINE_MS / 1000} s; exiting\n`);
      process.exit(1);
    }, CLOSE_DEADLINE_MS).unref();
    cp.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function maskSizeOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]{1,2}$/.test(value)) throw new ClusterNetworkError(`--node-cidr-mask-size must be a whole number such as 24, not "${value}"`);
  return Number(value);
}

/** --cluster-signing-duration in whole seconds (a Go duration: 8760h, 30m, 90s). */
function signingDurationOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Math.floor(parseGoDuration(value) / 1000);
  if (!Number.isFinite(seconds) || seconds < 1) throw new UsageError(`--cluster-signing-duration must be a duration of at least 1s such as 8760h, 720h or 30m, not "${value}"`);
  return seconds;
}

type Values = ReturnType<typeof parse>['values'];

/** The cluster settings serve and start share: ranges and the advertise address. */
function clusterArgs(values: Values): Pick<StartArgs, 'clusterCIDR' | 'serviceCIDR' | 'nodeCIDRMaskSize' | 'advertiseAddress'> {
  return {
    clusterCIDR: values['cluster-cidr'], serviceCIDR: values['service-cidr'],
    nodeCIDRMaskSize: maskSizeOf(values['node-cidr-mask-size']), advertiseAddress: values['advertise-address'],
  };
}

async function serve(args: StartArgs & { dataDir: string }): Promise<void> {
  const { startBrowserMode } = await import('./start.ts');
  const server = await startBrowserMode(args);
  const dataDir = args.dataDir;
  closeOnSignals(server);
  process.stdout.write(`Kubelab ready at ${server.url} (UI: ${server.uiUrl}, data: ${dataDir})\n`);
}

/** `kubelab secrets rotate-key`: with the server stopped, as its lock on the data folder ensures. */
async function secrets(args: string[], dataDir: string): Promise<void> {
  if (args.length !== 1 || args[0] !== 'rotate-key') throw new UsageError(`usage: kubelab secrets rotate-key [--data-dir DIR]`);
  const { rotateEncryptionKey, RotationError } = await import('./api/encryption/rotate-key.ts');
  const result = await rotateEncryptionKey(dataDir, (line) => process.stderr.write(`${line}\n`)).catch((e: unknown) => {
    if (e instanceof StoreLockedError) throw new OneLineError(`cannot rotate the key while Kubelab runs on ${dataDir} (${e.holder}): stop it, rotate, then start it again`);
    throw e instanceof RotationError ? new OneLineError(e.message) : e;
  });
  const dropped = result.dropped.length > 0 ? `; removed ${result.dropped.join(', ')}` : '';
  process.stdout.write(`encrypting with ${result.key}: ${result.rewritten} object(s) rewritten${dropped}\n`);
}

export async function main(argv: string[]): Promise<void> {
  // The agent parses its own flags: the bundled agent on workers takes exactly the same ones.
  if (argv[0] === 'agent') {
    const { AgentRefusedError, AgentUsageError, agentMain } = await import('./agent/main.ts');
    return agentMain(argv.slice(1)).catch((e: unknown) => {
      if (e instanceof AgentUsageError) throw new UsageError(e.message);
      throw e instanceof AgentRefusedError ? new OneLineError(e.message) : e;
    });
  }
  // Provisioning parses its own flags (they differ per subcommand).
  if (['node', 'image', 'lab'].includes(argv[0] ?? '')) {
    const { provisionMain, ProvisionUsageError } = await import('./provision/cli/provision-cli.ts');
    return provisionMain(argv).catch((e: unknown) => {
      if (e instanceof ProvisionUsageError) throw new UsageError(e.message);
      // Provisioning's failures (SSH, preflight, a node not Ready) are written to be read as is.
      throw e instanceof Error && !(e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError) ? new OneLineError(e.message) : e;
    });
  }
  const { values, positionals } = parse(argv);
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const dataDir = values['data-dir'] ?? defaultDataDir();
  if (command === 'secrets') return secrets(rest, dataDir);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  switch (command) {
    case 'serve':
      return serve({
        dataDir, port: portOf(values.port), address: values.address ?? '127.0.0.1', simulateNodes: countOf(values['simulate-nodes']),
        controllers: !values['no-controllers'], clusterSigningDurationSeconds: signingDurationOf(values['cluster-signing-duration']), ...clusterArgs(values),
      });
    case 'kubeconfig': {
      if (values.user === undefined && (values.role !== undefined || values.namespace !== undefined)) throw new UsageError('--role and --namespace need --user NAME');
      if (values.user === undefined) return void process.stdout.write(adminKubeconfig(dataDir, values.server));
      const { userKubeconfig } = await import('./user-kubeconfig.ts');
      process.stdout.write(await userKubeconfig(dataDir, { user: values.user, role: values.role, namespace: values.namespace, server: values.server }));
      return;
    }
    case 'controller-manager': {
      if (!values.kubeconfig) throw new UsageError('controller-manager needs --kubeconfig FILE');
      const { runControllerManager } = await import('./controllers/run-controller-manager.ts');
      const podCIDR = values['cluster-cidr'];
      const nodeCIDRMaskSize = maskSizeOf(values['node-cidr-mask-size']);
      const clusterSigningDurationSeconds = signingDurationOf(values['cluster-signing-duration']);
      return runControllerManager(values.kubeconfig, {
        ...(podCIDR && { podCIDR }), ...(nodeCIDRMaskSize !== undefined && { nodeCIDRMaskSize }),
        clusterSigningCertFile: values['cluster-signing-cert-file'], clusterSigningKeyFile: values['cluster-signing-key-file'],
        ...(clusterSigningDurationSeconds !== undefined && { clusterSigningDurationSeconds }),
      });
    }
    case 'start': {
      const { start } = await import('./start.ts');
      return start({
        dataDir, port: values.port === undefined ? undefined : portOf(values.port), address: values.address,
        simulateNodes: countOf(values['simulate-nodes']), ...clusterArgs(values),
      });
    }
    default:
      throw new UsageError(`unknown command "${command}" (try kubelab --help)`);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const known = e instanceof UsageError || e instanceof OneLineError || e instanceof KubeconfigError || e instanceof StoreLockedError || e instanceof ClusterNetworkError || e instanceof EncryptionConfigError;
  const err = e as Error & { code?: string };
  const message = err.code === 'EADDRINUSE' ? `the port is already in use (${err.message}); pick another with --port` : err.message;
  process.stderr.write(`kubelab: ${known || err.code ? message : (err.stack ?? message)}\n`);
  process.exit(e instanceof UsageError ? 2 : 1);
});
