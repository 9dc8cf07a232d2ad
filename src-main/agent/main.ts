// The agent's command line, shared by `kubelab agent ...` and the bundled `node kubelab-agent.js
// ...` that runs on workers with nothing installed but Node.js.
import { parseArgs } from 'node:util';
import { agentOptions, runAgent } from './run-agent.ts';

export { AgentRefusedError } from './run-agent.ts';

export const agentUsage = `usage: kubelab agent (or: node kubelab-agent.js) --kubeconfig FILE | --server URL [--token-file F] [flags]
       kubelab agent reset [flags]   remove what a stopped agent left (reset --help)

  --kubeconfig FILE  the cluster to join (its API server and this node's credential)
  --server URL       the API server (https://HOST:PORT): to join with a token, to run again with
                     the credential a join left in <state-dir>/kubeconfig, or instead of the
                     kubeconfig's server when the control plane's address changed
  --token-file F     the join token (K10<CA hash>::<id>.<secret>, one use): the agent checks the
                     server's CA against it, then trades it for this node's own certificate
  --token T          the same, on the command line (where other users of the machine can see it)
  --node-name NAME   the Node's name (default: this machine's hostname)
  --state-dir DIR    where the agent keeps its state (default /var/lib/kubelab-agent)
  --runtime R        the OCI runtime: runc (default) or crun
  --node-ip IP       the InternalIP to report (default: the first non-loopback IPv4 address)
  --runtime-root DIR the runtime's state (runc --root; default <state-dir>/runtime)
  --cgroup-parent P  the cgroup pods go under (default /kubelab/<node-name>)
  --cni-bin-dir DIRS where the CNI plugins are, colon-separated (default /usr/lib/cni:/opt/cni/bin)
  --cni-netns NAME   run the CNI plugins in this network namespace (test hosts sharing a machine)
  --network MODE     host-gw (default): this node's bridge, forwarding, routes to the other
                     nodes' pods, the service proxy's iptables rules and the cluster DNS; none:
                     only the pods' own addresses (several agents sharing one network namespace)
  --registry-config F mirrors, TLS and credentials per registry, as k3s' registries.yaml
                     (default <state-dir>/registries.yaml when it exists)
  --port PORT        the agent's HTTPS endpoint (default 10250; 0 takes any free port)
  --address IP       the address it listens on (default 0.0.0.0)
  --eviction-hard T  hard eviction thresholds, e.g. memory.available<100Mi,nodefs.available<10%
                     (default: memory.available<100Mi, nodefs.available<10%, nodefs.inodesFree<5%,
                     imagefs.available<15%, imagefs.inodesFree<5%, pid.available<5%)
  --container-log-max-size Q   rotate a container's log at this size (default 10Mi)
  --container-log-max-files N  log files kept per container, the live one included (default 5)
  --allow-missing-cgroup-controllers
                     start even where the cpu, memory or pids cgroup controllers are missing
                     (pods then run without those limits; otherwise the agent refuses to start)`;

/** Bad flags: the caller prints the message as one line and exits with 2. */
export class AgentUsageError extends Error {}

export async function agentMain(argv: string[]): Promise<void> {
  if (argv[0] === 'reset') {
    const { ResetUsageError, resetMain } = await import('./reset/reset-main.ts');
    return resetMain(argv.slice(1)).catch((e: unknown) => {
      throw e instanceof ResetUsageError ? new AgentUsageError(e.message) : e;
    });
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        kubeconfig: { type: 'string' },
        server: { type: 'string' },
        token: { type: 'string' },
        'token-file': { type: 'string' },
        'node-name': { type: 'string' },
        'state-dir': { type: 'string' },
        runtime: { type: 'string' },
        'node-ip': { type: 'string' },
        'runtime-root': { type: 'string' },
        'cgroup-parent': { type: 'string' },
        'cni-bin-dir': { type: 'string' },
        'cni-netns': { type: 'string' },
        network: { type: 'string' },
        'registry-config': { type: 'string' },
        port: { type: 'string' },
        address: { type: 'string' },
        'eviction-hard': { type: 'string' },
        'container-log-max-size': { type: 'string' },
        'container-log-max-files': { type: 'string' },
        'allow-missing-cgroup-controllers': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new AgentUsageError((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${agentUsage}\n`);
    return;
  }
  const flags = {
    kubeconfig: values.kubeconfig, server: values.server, token: values.token, tokenFile: values['token-file'], nodeName: values['node-name'], stateDir: values['state-dir'], runtime: values.runtime, nodeIP: values['node-ip'],
    runtimeRoot: values['runtime-root'], cgroupParent: values['cgroup-parent'], cniBinDir: values['cni-bin-dir'], cniNetns: values['cni-netns'], network: values.network, registryConfig: values['registry-config'],
    port: values.port, address: values.address,
    containerLogMaxSize: values['container-log-max-size'], containerLogMaxFiles: values['container-log-max-files'], evictionHard: values['eviction-hard'],
    allowMissingCgroupControllers: values['allow-missing-cgroup-controllers'],
  };
  try {
    agentOptions(flags);
  } catch (e) {
    throw new AgentUsageError((e as Error).message);
  }
  await runAgent(flags);
}
