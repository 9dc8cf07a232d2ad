// `kubelab agent --kubeconfig FILE [--node-name NAME] [--state-dir DIR] [--runtime runc|crun]
// [--node-ip IP] [--runtime-root DIR] [--cgroup-parent PATH] [--cni-bin-dir DIRS] [--cni-netns NAME]
// [--registry-config FILE]`:
// the node agent (its Node, Lease and the kubelet loop) in the foreground until SIGTERM/SIGINT,
// as systemd, the lab and the tests start it. Its pods keep running when it stops.
import { hostname } from 'node:os';
import { KubeClient } from '../client/kube-client.ts';
import { NodeAgent } from './node-agent.ts';
import type { Kubelet } from './kubelet/kubelet.ts';
import { internalIP, readMachine } from './kubelet/machine.ts';
import { startKubelet } from './kubelet/start-kubelet.ts';
import type { RuntimeName } from './runtime/runtime-version.ts';

export interface AgentFlags {
  kubeconfig: string;
  nodeName?: string;
  stateDir?: string;
  runtime?: string;
  nodeIP?: string;
  runtimeRoot?: string;
  cgroupParent?: string;
  /** Colon-separated, as CNI_PATH. */
  cniBinDir?: string;
  cniNetns?: string;
  registryConfig?: string;
}

export const DEFAULT_STATE_DIR = '/var/lib/kubelab-agent';

/** Checks the flags; throws an Error with the one line to print. */
export function agentOptions(flags: AgentFlags): { nodeName: string; stateDir: string; runtime: RuntimeName; nodeIP?: string } {
  const runtime = flags.runtime ?? 'runc';
  if (runtime !== 'runc' && runtime !== 'crun') throw new Error(`--runtime must be runc or crun, not "${runtime}"`);
  // Node names are DNS subdomains; a hostname with capitals is lowered, as the kubelet does.
  const nodeName = (flags.nodeName ?? hostname()).toLowerCase();
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(nodeName) || nodeName.length > 253) {
    throw new Error(`--node-name "${nodeName}" is not a valid node name (lowercase letters, digits, '-' and '.')`);
  }
  return { nodeName, stateDir: flags.stateDir ?? DEFAULT_STATE_DIR, runtime, nodeIP: flags.nodeIP };
}

export async function runAgent(flags: AgentFlags): Promise<void> {
  const options = agentOptions(flags);
  const client = KubeClient.fromKubeconfigFile(flags.kubeconfig);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const agent = new NodeAgent({ client, ...options, log });
  let kubelet: Kubelet | undefined;
  // The agent's timers do not hold the process; this does, until a signal stops it.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const stop = (): void => {
    clearInterval(keepAlive);
    kubelet?.stop();
    agent.stop();
    client.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop).on('SIGINT', stop);
  try {
    await agent.start();
    const machine = readMachine();
    kubelet = await startKubelet({
      client, nodeName: options.nodeName, stateDir: options.stateDir, runtime: options.runtime, hostIP: internalIP(options.nodeIP), log,
      runtimeRoot: flags.runtimeRoot, cgroupParent: flags.cgroupParent, cniBinDirs: flags.cniBinDir?.split(':').filter(Boolean), cniNetns: flags.cniNetns, registryConfigFile: flags.registryConfig,
      allocatable: { cpu: String(machine.milliCPU / 1000), memory: String(machine.memoryBytes) },
    });
  } catch (e) {
    clearInterval(keepAlive);
    client.close();
    throw e;
  }
  log(`agent: node ${options.nodeName} is up (state in ${options.stateDir})`);
}
