// `kubelab agent --kubeconfig FILE | --server URL [--token K10... | --token-file F] [--node-name NAME] [--state-dir DIR] [--runtime runc|crun]
// [--node-ip IP] [--runtime-root DIR] [--cgroup-parent PATH] [--cni-bin-dir DIRS] [--cni-netns NAME] [--network host-gw|none]
// [--registry-config FILE] [--port PORT] [--address IP] [--container-log-max-size Q] [--container-log-max-files N]`:
// the node agent (its HTTPS endpoint, Node, Lease and the kubelet loop) in the foreground until
// SIGTERM/SIGINT, as systemd, the lab and the tests start it. Its pods keep running when it stops.
// Without --kubeconfig it runs with <state-dir>/kubeconfig, made by joining with a token first.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { KubeClient } from '../client/kube-client.ts';
import { parseKubeconfig } from '../client/kubeconfig.ts';
import { parseQuantity, value } from '../util/quantity.ts';
import { AgentServer, DEFAULT_AGENT_PORT } from './server/agent-server.ts';
import { addAgentRoutes } from './server/agent-routes.ts';
import { NodeAgent } from './node-agent.ts';
import { parseEvictionHard, type Threshold } from './kubelet/eviction/thresholds.ts';
import type { Kubelet } from './kubelet/kubelet.ts';
import { internalIP, readMachine } from './kubelet/machine.ts';
import { startKubelet } from './kubelet/start-kubelet.ts';
import { startClusterNetwork, type ClusterNetwork } from './network/cluster-network.ts';
import type { RuntimeName } from './runtime/runtime-version.ts';
import { cgroupLayout, checkLimitControllers, defaultCgroupParent } from './runtime/cgroups.ts';
import { JoinTokenError, parseJoinToken, type JoinToken } from '../auth/bootstrap-token.ts';
import { ensureNodeKubeconfig, JoinError } from './bootstrap/join.ts';
import { nodeKubeconfigPath, readNodeKubeconfig, type NodeCredential } from './bootstrap/node-kubeconfig.ts';
import { clientCertificateManager } from './certificates/client-certificate.ts';
import { servingCertificateManager } from './certificates/serving-certificate.ts';

export interface AgentFlags {
  /** The cluster and this node's credential; without it, <state-dir>/kubeconfig (made by a join). */
  kubeconfig?: string;
  /** The API server (https://host:port): to join, or instead of the kubeconfig's (a moved laptop). */
  server?: string;
  /** The join token, given as is or in a file (which keeps it off the command line). */
  token?: string;
  tokenFile?: string;
  nodeName?: string;
  stateDir?: string;
  runtime?: string;
  nodeIP?: string;
  runtimeRoot?: string;
  cgroupParent?: string;
  /** Colon-separated, as CNI_PATH. */
  cniBinDir?: string;
  cniNetns?: string;
  /** host-gw (default) or none: see the usage. */
  network?: string;
  registryConfig?: string;
  /** The HTTPS endpoint's port (default 10250, 0 = any free one) and address (default 0.0.0.0). */
  port?: string;
  address?: string;
  /** --eviction-hard, as the kubelet's flag. */
  evictionHard?: string;
  /** Log rotation: a quantity (10Mi) and a count (5), as the kubelet's containerLogMax*. */
  containerLogMaxSize?: string;
  containerLogMaxFiles?: string;
  /** Start without the cpu, memory or pids controllers (their limits then go unenforced). */
  allowMissingCgroupControllers?: boolean;
}

/** The agent cannot start as asked (a missing cgroup controller, a join refused): one line, exit 1. */
export class AgentRefusedError extends Error {}

export const DEFAULT_STATE_DIR = '/var/lib/kubelab-agent';

/** Checks the flags; throws an Error with the one line to print. */
export function agentOptions(flags: AgentFlags): {
  nodeName: string; stateDir: string; runtime: RuntimeName; network: 'host-gw' | 'none'; nodeIP?: string; port: number; address: string; containerLogMaxSize?: number; containerLogMaxFiles?: number;
  evictionHard?: Threshold[]; server?: string; joinToken?: JoinToken; absentTokenFile?: string;
} {
  const join = joinFlags(flags);
  const runtime = flags.runtime ?? 'runc';
  if (runtime !== 'runc' && runtime !== 'crun') throw new Error(`--runtime must be runc or crun, not "${runtime}"`);
  const network = flags.network ?? 'host-gw';
  if (network !== 'host-gw' && network !== 'none') throw new Error(`--network must be host-gw or none, not "${network}"`);
  // Node names are DNS subdomains; a hostname with capitals is lowered, as the kubelet does.
  const nodeName = (flags.nodeName ?? hostname()).toLowerCase();
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(nodeName) || nodeName.length > 253) {
    throw new Error(`--node-name "${nodeName}" is not a valid node name (lowercase letters, digits, '-' and '.')`);
  }
  const port = flags.port === undefined ? DEFAULT_AGENT_PORT : Number(flags.port);
  if (!/^\d+$/.test(flags.port ?? '0') || port > 65535) throw new Error(`--port must be a port number (0 for any free one), not "${flags.port}"`);
  const logs = logRotation(flags);
  const evictionHard = flags.evictionHard === undefined ? undefined : parseEvictionHard(flags.evictionHard);
  return { nodeName, stateDir: flags.stateDir ?? DEFAULT_STATE_DIR, runtime, network, nodeIP: flags.nodeIP, port, address: flags.address ?? '0.0.0.0', ...logs, evictionHard, ...join };
}

/**
 * --kubeconfig, --server, --token and --token-file, checked together. A token file that does not
 * exist is no error yet: the service keeps naming it after the join, and the provisioner deletes
 * it once the node is Ready; it matters only when there is no credential to run with.
 */
function joinFlags(flags: AgentFlags): { server?: string; joinToken?: JoinToken; absentTokenFile?: string } {
  if (!flags.kubeconfig && !flags.server) throw new Error('agent needs --kubeconfig FILE, or --server URL and a join token (--token or --token-file)');
  if (flags.server !== undefined && !/^https:\/\/[^/\s]+\/?$/.test(flags.server)) throw new Error(`--server must be the API server's https://HOST:PORT, not "${flags.server}"`);
  if (flags.token !== undefined && flags.tokenFile !== undefined) throw new Error('give the join token with --token or --token-file, not both');
  const given = flags.token !== undefined || flags.tokenFile !== undefined;
  if (given && flags.kubeconfig) throw new Error('a join token makes the node its own kubeconfig: give --server with it, not --kubeconfig');
  if (!given) return { server: flags.server };
  let text = flags.token;
  if (flags.tokenFile !== undefined) {
    try {
      text = readFileSync(flags.tokenFile, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { server: flags.server, absentTokenFile: flags.tokenFile };
      throw new Error(`cannot read --token-file ${flags.tokenFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  try {
    return { server: flags.server, joinToken: parseJoinToken(text ?? '') };
  } catch (e) {
    if (e instanceof JoinTokenError) throw new Error(e.message);
    throw e;
  }
}

function logRotation(flags: AgentFlags): { containerLogMaxSize?: number; containerLogMaxFiles?: number } {
  let size: number | undefined;
  if (flags.containerLogMaxSize !== undefined) {
    try {
      size = value(parseQuantity(flags.containerLogMaxSize));
    } catch {
      size = NaN;
    }
    if (!(size > 0)) throw new Error(`--container-log-max-size must be a positive quantity (10Mi), not "${flags.containerLogMaxSize}"`);
  }
  const files = flags.containerLogMaxFiles === undefined ? undefined : Number(flags.containerLogMaxFiles);
  // The kubelet wants at least 2: the live file and one rotated.
  if (files !== undefined && !(Number.isInteger(files) && files >= 2)) throw new Error(`--container-log-max-files must be a whole number of at least 2, not "${flags.containerLogMaxFiles}"`);
  return { containerLogMaxSize: size, containerLogMaxFiles: files };
}

/**
 * The node credential the join made (<state-dir>/kubeconfig), which the agent renews itself;
 * undefined for a kubeconfig the user gave, which is theirs to renew.
 */
function ownCredential(kubeconfig: string, options: { stateDir: string; nodeName: string }): NodeCredential | undefined {
  if (resolve(kubeconfig) !== resolve(nodeKubeconfigPath(options.stateDir))) return undefined;
  const saved = readNodeKubeconfig(kubeconfig, options.nodeName);
  return 'credential' in saved ? saved.credential : undefined;
}

export async function runAgent(flags: AgentFlags): Promise<void> {
  const options = agentOptions(flags);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  // Before anything reaches the cluster: a machine the agent refuses leaves no Node behind (and
  // its join token unused).
  const cgroups = await cgroupLayout(flags.cgroupParent ?? defaultCgroupParent(options.nodeName));
  try {
    checkLimitControllers(cgroups, flags.allowMissingCgroupControllers === true, log);
  } catch (e) {
    throw new AgentRefusedError((e as Error).message);
  }
  const kubeconfig = flags.kubeconfig ?? (await ensureNodeKubeconfig({ server: options.server!, token: options.joinToken, absentTokenFile: options.absentTokenFile, stateDir: options.stateDir, nodeName: options.nodeName, log }).catch((e: unknown) => {
    throw e instanceof JoinError ? new AgentRefusedError(e.message) : e;
  }));
  const connection = parseKubeconfig(readFileSync(kubeconfig, 'utf8'), undefined, dirname(kubeconfig));
  // The laptop's address changed since the kubeconfig was written.
  if (options.server) connection.server = options.server;
  // The cluster CA is what the endpoint checks its callers' certificates against.
  if (!connection.ca) throw new Error(`${kubeconfig} names no certificate authority: the agent could not tell the API server from anyone else`);
  const client = new KubeClient(connection);
  const caPem = connection.ca;
  const serving = servingCertificateManager({
    client, caPem, stateDir: options.stateDir, nodeName: options.nodeName, ips: [internalIP(options.nodeIP) ?? ''].filter(Boolean),
    rotated: (pair) => server.setServingCertificate(pair), log,
  });
  const server = new AgentServer({ caPem, nodeName: options.nodeName, certificate: serving.current(), port: options.port, address: options.address, log });
  const credential = ownCredential(kubeconfig, options);
  const clientCerts = credential && clientCertificateManager({ client, kubeconfigPath: kubeconfig, credential, nodeName: options.nodeName, log });
  let agent: NodeAgent | undefined;
  let kubelet: Kubelet | undefined;
  let network: ClusterNetwork | undefined;
  // The agent's timers do not hold the process; this does, until a signal stops it.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const stop = (): void => {
    clearInterval(keepAlive);
    serving.stop();
    clientCerts?.stop();
    kubelet?.stop();
    network?.stop();
    agent?.stop();
    void server.stop();
    client.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop).on('SIGINT', stop);
  try {
    const port = await server.start();
    agent = new NodeAgent({ client, ...options, kubeletPort: port, log });
    await agent.start();
    // Once the Node is registered with its addresses, which the serving request must match.
    serving.start();
    clientCerts?.start();
    if (options.network === 'host-gw') network = await startClusterNetwork({ client, nodeName: options.nodeName, stateDir: options.stateDir, netns: flags.cniNetns, log });
    const machine = readMachine();
    kubelet = await startKubelet({
      client, nodeName: options.nodeName, stateDir: options.stateDir, runtime: options.runtime, hostIP: internalIP(options.nodeIP), log,
      podNetwork: network?.podNetwork,
      runtimeRoot: flags.runtimeRoot, cgroups, cniBinDirs: flags.cniBinDir?.split(':').filter(Boolean), cniNetns: flags.cniNetns, registryConfigFile: flags.registryConfig,
      allocatable: { cpu: String(machine.milliCPU / 1000), memory: String(machine.memoryBytes) },
      containerLogMaxSize: options.containerLogMaxSize, containerLogMaxFiles: options.containerLogMaxFiles, housekeeping: { evictionHard: options.evictionHard },
    });
    addAgentRoutes(server, kubelet);
  } catch (e) {
    clearInterval(keepAlive);
    serving.stop();
    clientCerts?.stop();
    network?.stop();
    agent?.stop();
    await server.stop();
    client.close();
    throw e;
  }
  log(`agent: node ${options.nodeName} is up (state in ${options.stateDir}, HTTPS on ${options.address}:${server.port})`);
}
