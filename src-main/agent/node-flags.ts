// How the agent's Node.js process is started wherever Kubelab starts it (the benchmark now; the
// systemd unit and the lab's supervisor from provisioning). Neither can be set from inside a
// running process.
// - 2 MiB semi-spaces: V8 grows the young generation to 16 MiB semi-spaces under a burst (fifty
//   pods starting at once) and never gives it back, a third of the agent's memory.
// - Two malloc arenas: glibc gives each of libuv's threads an arena of its own, and the memory
//   they touch during a burst stays with the process.
export const AGENT_NODE_FLAGS = ['--max-semi-space-size=2'];
export const AGENT_ENV: Record<string, string> = { MALLOC_ARENA_MAX: '2' };
