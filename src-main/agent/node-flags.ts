// The Node.js flags the agent runs with wherever Kubelab starts it (the benchmark now; the
// systemd unit and the lab's supervisor from provisioning). V8 grows the young generation to
// 16 MiB semi-spaces under a burst (fifty pods starting at once) and never gives it back, which
// alone is a third of the agent's memory; 2 MiB semi-spaces keep the agent within its budget
// for a few more minor collections. The flags cannot be set from inside a running process.
export const AGENT_NODE_FLAGS = ['--max-semi-space-size=2'];
