// `kubelab agent --kubeconfig FILE [--node-name NAME] [--state-dir DIR] [--runtime runc|crun]
// [--node-ip IP]`: the node agent in the foreground until SIGTERM/SIGINT, as systemd, the lab
// and the tests start it.
import { hostname } from 'node:os';
import { KubeClient } from '../client/kube-client.ts';
import { NodeAgent } from './node-agent.ts';
import type { RuntimeName } from './runtime/runtime-version.ts';

export interface AgentFlags {
  kubeconfig: string;
  nodeName?: string;
  stateDir?: string;
  runtime?: string;
  nodeIP?: string;
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
  // The agent's timers do not hold the process; this does, until a signal stops it.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const stop = (): void => {
    clearInterval(keepAlive);
    agent.stop();
    client.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop).on('SIGINT', stop);
  try {
    await agent.start();
  } catch (e) {
    clearInterval(keepAlive);
    client.close();
    throw e;
  }
  log(`agent: node ${options.nodeName} is up (state in ${options.stateDir})`);
}
