// Where a node keeps what provisioning installs, and the agent's command line there. One place,
// so install, upgrade and remove agree, and remove knows every path it has to take away.
import { AGENT_ENV, AGENT_NODE_FLAGS } from '../../agent/node-flags.ts';

export const NODE_PATHS = {
  /** The agent bundle, one file (npm run build:agent). */
  bundle: '/usr/local/lib/kubelab/kubelab-agent.js',
  libDir: '/usr/local/lib/kubelab',
  configDir: '/etc/kubelab',
  /** The one-time join token, 0600, deleted once the node is Ready. */
  tokenFile: '/etc/kubelab/join-token',
  stateDir: '/var/lib/kubelab-agent',
  logDir: '/var/log/kubelab',
  log: '/var/log/kubelab/agent.log',
} as const;

export interface AgentSettings {
  /** The API server as the node reaches it (https://laptop:6443, or the tunnel's local end). */
  server: string;
  nodeName: string;
  nodeIP?: string;
  runtime?: 'runc' | 'crun';
  /** Absolute path of node on the host (facts.commands.node). */
  nodePath: string;
}

/** The agent's argv as the service runs it: Node's flags, the bundle, the agent's flags. */
export function agentCommand(s: AgentSettings): string[] {
  return [
    s.nodePath, ...AGENT_NODE_FLAGS, NODE_PATHS.bundle,
    '--server', s.server, '--token-file', NODE_PATHS.tokenFile, '--node-name', s.nodeName, '--state-dir', NODE_PATHS.stateDir,
    ...(s.nodeIP ? ['--node-ip', s.nodeIP] : []), ...(s.runtime && s.runtime !== 'runc' ? ['--runtime', s.runtime] : []),
  ];
}

/** The environment the agent runs with (node-flags.ts' AGENT_ENV). */
export const agentEnvironment = (): Record<string, string> => ({ ...AGENT_ENV });
