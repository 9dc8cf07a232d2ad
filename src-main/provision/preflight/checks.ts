// The preflight checks, in the manner of kubeadm's preflight and k3s' check-config: each looks at
// the gathered facts (and what the cluster already has) and says pass, warn or fail, with one
// line that tells the user how to fix it. Pure functions: the facts come from host-facts.ts.
import { shellQuote } from '../../util/shell.ts';
import type { HostFacts } from './host-facts.ts';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** For warn and fail: one line saying what to do. */
  fix?: string;
}

/** What the cluster already has, for the uniqueness checks. */
export interface ClusterView {
  nodes: { name: string; machineID?: string }[];
}

export interface PreflightInput {
  facts: HostFacts;
  /** The name the node will register with (default: its hostname, lowercased). */
  nodeName: string;
  cluster: ClusterView;
  clockSkewMs: number;
  /** The agent's HTTPS port (10250). */
  agentPort: number;
  /** The answer of the API reachability probe run on the host (see apiProbeScript). */
  apiProbe?: { ok: boolean; detail: string };
  /** How the host reaches each other node's InternalIP (see peerRouteScript). */
  peers?: PeerRoute[];
}

export interface PeerRoute {
  node: string;
  ip: string;
  /** The router in between; absent when the node is on the host's own network segment. */
  via?: string;
}

const MIN_NODE_MAJOR = 18;
/** uname -m → the Node's architecture (Go's names, as nodeInfo.architecture). */
export const ARCHITECTURES: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', arm64: 'arm64', armv7l: 'arm', armv8l: 'arm' };
const KNOWN_OS = ['debian', 'ubuntu', 'raspbian', 'fedora', 'alpine', 'rhel', 'centos', 'rocky', 'almalinux', 'opensuse-leap', 'arch'];

const pass = (name: string, detail: string): CheckResult => ({ name, status: 'pass', detail });
const warn = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'warn', detail, fix });
const fail = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'fail', detail, fix });

export function checkOS({ os }: HostFacts): CheckResult {
  const label = os.prettyName || os.id || 'unknown';
  if (KNOWN_OS.includes(os.id) || os.idLike.some((l) => KNOWN_OS.includes(l))) return pass('os', label);
  return warn('os', `${label} has not been tried`, 'it may work; Debian, Ubuntu, Raspberry Pi OS, Fedora and Alpine are known to');
}

export function checkArch({ machine }: HostFacts): CheckResult {
  const goarch = ARCHITECTURES[machine];
  if (goarch) return pass('arch', `${machine} (${goarch})`);
  if (machine === 'armv6l') return fail('arch', 'armv6l (Raspberry Pi Zero or 1)', 'Node.js 18 and runc have no ARMv6 builds: use a Pi 2 or newer');
  return fail('arch', `${machine || 'unknown'} is not supported`, 'use an amd64, arm64 or armv7 machine');
}

export function checkKernel({ kernel, overlayfs }: HostFacts): CheckResult {
  const [major = 0, minor = 0] = kernel.split(/[.-]/).map(Number);
  if (major < 4 || (major === 4 && minor < 15)) return fail('kernel', `${kernel} is older than 4.15`, 'upgrade the kernel: overlayfs and cgroups need 4.15 or newer');
  if (!overlayfs) return fail('kernel', `${kernel} without overlayfs`, 'load it: sudo modprobe overlay (and add overlay to /etc/modules)');
  return pass('kernel', kernel);
}

export function checkCgroups({ cgroupFs, cgroupControllers }: HostFacts): CheckResult {
  const mode = cgroupFs === 'cgroup2fs' ? 'v2' : 'v1';
  const missing = ['cpu', 'memory', 'pids'].filter((c) => !cgroupControllers.includes(c));
  if (missing.length === 0) return pass('cgroups', `${mode}, with cpu, memory and pids`);
  return fail(
    'cgroups', `${mode}, without the ${missing.join(', ')} controller${missing.length > 1 ? 's' : ''}`,
    missing.includes('memory')
      ? 'add "cgroup_enable=memory cgroup_memory=1" to the kernel command line (/boot/firmware/cmdline.txt on a Raspberry Pi) and reboot'
      : `enable the ${missing.join(', ')} controller${missing.length > 1 ? 's' : ''} on the kernel command line and reboot`,
  );
}

export function checkSwap({ swapOn }: HostFacts): CheckResult {
  if (!swapOn) return pass('swap', 'off');
  return warn('swap', 'on: memory limits do not stop a container from swapping', 'turn it off: sudo swapoff -a, and remove it from /etc/fstab (dphys-swapfile on a Raspberry Pi)');
}

export function checkNode({ commands, nodeVersion }: HostFacts): CheckResult {
  if (!commands.node) return fail('node', 'Node.js not found', `install Node.js ${MIN_NODE_MAJOR} or newer (or pass --install-deps)`);
  const major = Number(/^v(\d+)/.exec(nodeVersion ?? '')?.[1] ?? 0);
  if (major < MIN_NODE_MAJOR) return fail('node', `Node.js ${nodeVersion ?? '?'} is older than ${MIN_NODE_MAJOR}`, `upgrade Node.js to ${MIN_NODE_MAJOR} or newer`);
  return pass('node', `${nodeVersion} at ${commands.node}`);
}

export function checkRuntime({ commands }: HostFacts, runtime: 'runc' | 'crun' = 'runc'): CheckResult {
  if (commands[runtime]) return pass('runtime', `${runtime} at ${commands[runtime]}`);
  return fail('runtime', `${runtime} not found on the PATH`, `install ${runtime} (or pass --install-deps)`);
}

export function checkTools({ commands }: HostFacts): CheckResult[] {
  const out: CheckResult[] = [];
  out.push(commands.ip ? pass('iproute2', commands.ip) : fail('iproute2', 'ip not found', 'install iproute2 (or pass --install-deps)'));
  out.push(commands.iptables ? pass('iptables', commands.iptables) : warn('iptables', 'not found', 'install iptables: Services need it (or pass --install-deps)'));
  out.push(commands.script ? pass('util-linux', `script at ${commands.script}`) : warn('util-linux', 'script not found', 'install util-linux: kubectl exec -it and attach need it'));
  return out;
}

export function checkCNI({ cniDir, cniPlugins }: HostFacts): CheckResult {
  const missing = ['bridge', 'host-local', 'loopback'].filter((p) => !cniPlugins.includes(p));
  if (!cniDir || missing.length > 0) return fail('cni', `CNI plugins ${cniDir ? `in ${cniDir} lack ${missing.join(', ')}` : 'not found'}`, 'install the CNI plugins: containernetworking-plugins (Debian, Fedora) or cni-plugins (Alpine), or pass --install-deps');
  if (!cniPlugins.includes('portmap')) return warn('cni', `in ${cniDir}, without portmap`, 'install the portmap plugin: hostPort needs it');
  return pass('cni', `${cniPlugins.join(', ')} in ${cniDir}`);
}

export function checkPorts({ listeningPorts }: HostFacts, port: number): CheckResult {
  if (listeningPorts.includes(port)) return fail('ports', `${port} is in use`, `stop what listens on ${port} (sudo ss -ltnp 'sport = :${port}'): the agent needs it`);
  return pass('ports', `${port} free`);
}

export function checkClock(skewMs: number): CheckResult {
  const s = Math.round(Math.abs(skewMs) / 1000);
  const side = skewMs > 0 ? 'ahead of' : 'behind';
  if (s > 60) return fail('clock', `${s} s ${side} this computer`, 'set the clock (sudo timedatectl set-ntp true, or sudo date -s ...): certificates would not be valid on the host');
  if (s > 2) return warn('clock', `${s} s ${side} this computer`, 'turn on time sync: sudo timedatectl set-ntp true');
  return pass('clock', 'in sync');
}

/**
 * The name must be new to the cluster, and so must the machine-id: two Raspberry Pis flashed
 * from one image share it, and the kubelet and journald then mix them up.
 */
export function checkIdentity(facts: HostFacts, nodeName: string, cluster: ClusterView): CheckResult[] {
  const byName = cluster.nodes.find((n) => n.name === nodeName);
  const sameMachine = cluster.nodes.find((n) => facts.machineId && n.machineID === facts.machineId);
  const out: CheckResult[] = [];
  if (byName && (!facts.machineId || byName.machineID !== facts.machineId)) {
    out.push(fail('hostname', `a node named ${nodeName} already exists (another machine)`, 'rename this host (sudo hostnamectl set-hostname NAME) or pass --node-name'));
  } else out.push(pass('hostname', byName ? `${nodeName}: this machine, already joined` : `${nodeName} is new to the cluster`));
  if (!facts.machineId) out.push(fail('machine-id', '/etc/machine-id is empty', 'make one: sudo systemd-machine-id-setup (or dbus-uuidgen > /etc/machine-id)'));
  else if (sameMachine && sameMachine.name !== nodeName) {
    out.push(fail('machine-id', `same as node ${sameMachine.name}'s (a cloned disk image?)`, 'make a new one: sudo rm /etc/machine-id && sudo systemd-machine-id-setup, then reboot'));
  } else out.push(pass('machine-id', 'unique'));
  return out;
}

export function checkApi(probe: PreflightInput['apiProbe']): CheckResult {
  if (!probe) return warn('api', 'not checked (no Node.js on the host yet)', 'it is checked again when the agent starts');
  return probe.ok ? pass('api', probe.detail) : fail('api', probe.detail, 'the node must reach the control plane: check its address, the firewall on this computer, or use --tunnel');
}

/**
 * Pods reach pods on other nodes through routes to those nodes' addresses (host-gw), which works
 * only between machines on one network segment: a router in between would drop the pod packets.
 */
export function checkPodNetwork(peers: PeerRoute[] | undefined): CheckResult {
  if (!peers || peers.length === 0) return pass('pod-network', 'no other node yet');
  const routed = peers.filter((p) => p.via);
  if (routed.length === 0) return pass('pod-network', `on one network segment with ${peers.length === 1 ? 'the other node' : `the ${peers.length} other nodes`}`);
  const which = routed.map((p) => `${p.node} (${p.ip}, through the router ${p.via})`).join(', ');
  return warn('pod-network', `not on this host's network segment: ${which}; pods there will not reach pods here`, 'put the nodes on one network (one LAN or VLAN): pod routes between nodes need it');
}

/** One line per address: `ip route get`'s answer, for checkPodNetwork. */
export function peerRouteScript(ips: string[]): string {
  return ips.map((ip) => `ip -4 -o route get ${shellQuote(ip)} 2>/dev/null | head -n 1 || echo`).join('; ');
}

/** The router in `ip route get`'s line ("10.0.1.5 via 10.0.0.1 dev eth0 ..."), if any. */
export function parsePeerRoute(line: string): string | undefined {
  return /\svia\s(\S+)/.exec(` ${line}`)?.[1];
}

/** Every check, in the order they are shown. */
export function runChecks(input: PreflightInput, runtime: 'runc' | 'crun' = 'runc'): CheckResult[] {
  const { facts } = input;
  return [
    checkOS(facts), checkArch(facts), checkKernel(facts), checkCgroups(facts), checkSwap(facts),
    checkNode(facts), checkRuntime(facts, runtime), ...checkTools(facts), checkCNI(facts),
    checkPorts(facts, input.agentPort), checkClock(input.clockSkewMs), ...checkIdentity(facts, input.nodeName, input.cluster), checkApi(input.apiProbe),
    checkPodNetwork(input.peers),
  ];
}

/**
 * A probe of the API from the host, with the host's Node.js: an HTTPS GET of /cacerts (open to
 * anyone; the certificate is checked later, against the join token's hash). Prints one line.
 */
export function apiProbeScript(apiURL: string): string {
  const url = JSON.stringify(`${apiURL.replace(/\/+$/, '')}/cacerts`);
  const js = `require('https').get(${url},{rejectUnauthorized:false,timeout:5000},r=>{console.log('HTTP '+r.statusCode);process.exit(r.statusCode===200?0:1)}).on('error',e=>{console.log(e.code||e.message);process.exit(1)}).on('timeout',function(){console.log('timed out');this.destroy()})`;
  return `node -e ${shellQuote(js)}`;
}
