// What a machine is, gathered in one SSH round trip: a POSIX sh script (Debian, Raspberry Pi OS,
// Fedora, Alpine's busybox ash) that prints `key=value` lines, and its parser. Everything the
// preflight checks and the installer decide comes from these facts, so they are tested without
// a machine. Read-only: the script changes nothing on the host.
import type { RemoteHost } from '../remote-host.ts';

export interface HostFacts {
  /** /etc/os-release ID, VERSION_ID and PRETTY_NAME (e.g. debian, 12, "Debian GNU/Linux 12"). */
  os: { id: string; versionId: string; prettyName: string; idLike: string[] };
  /** `uname -m`: x86_64, aarch64, armv7l, armv6l... */
  machine: string;
  kernel: string;
  hostname: string;
  machineId: string;
  /** cgroup2fs (v2) or tmpfs (v1/hybrid) at /sys/fs/cgroup. */
  cgroupFs: string;
  /** Controllers enabled: v2's cgroup.controllers, or /proc/cgroups' enabled rows. */
  cgroupControllers: string[];
  swapOn: boolean;
  /** Absolute path of each command found on PATH (node, runc, crun, iptables, ip, script, sudo...). */
  commands: Record<string, string>;
  nodeVersion?: string;
  /** The CNI plugins found, and the folder they are in. */
  cniDir?: string;
  cniPlugins: string[];
  /** TCP ports listening (IPv4 and IPv6). */
  listeningPorts: number[];
  /** The host's clock when it answered, in ms since the epoch. */
  clockMs: number;
  /** systemd (running as PID 1), openrc, or none (containers, test hosts). */
  init: 'systemd' | 'openrc' | 'none';
  packageManager?: 'apt' | 'dnf' | 'apk';
  /** overlay in /proc/filesystems. */
  overlayfs: boolean;
}

/** Commands the checks look for; `command -v` on the host's PATH plus the sbin folders. */
export const PROBED_COMMANDS = ['node', 'runc', 'crun', 'iptables', 'ip', 'script', 'sudo', 'sha256sum', 'tar', 'systemctl', 'rc-service', 'apt-get', 'dnf', 'apk'];
const CNI_DIRS = ['/usr/lib/cni', '/opt/cni/bin', '/usr/libexec/cni'];
const CNI_PLUGINS = ['bridge', 'host-local', 'loopback', 'portmap'];

/** The script: each line `key=value`; values are single lines. */
export function factsScript(): string {
  return [
    'export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"',
    'if [ -r /etc/os-release ]; then . /etc/os-release; fi',
    'echo "os.id=${ID:-}"; echo "os.version_id=${VERSION_ID:-}"; echo "os.pretty_name=${PRETTY_NAME:-}"; echo "os.id_like=${ID_LIKE:-}"',
    'echo "machine=$(uname -m)"; echo "kernel=$(uname -r)"',
    'echo "hostname=$(cat /proc/sys/kernel/hostname)"',
    'echo "machine_id=$(cat /etc/machine-id 2>/dev/null)"',
    'echo "cgroup_fs=$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)"',
    'if [ -r /sys/fs/cgroup/cgroup.controllers ]; then echo "cgroup_controllers=$(cat /sys/fs/cgroup/cgroup.controllers)";',
    "else echo \"cgroup_controllers=$(awk 'NR>1 && $4==1 {printf \"%s \", $1}' /proc/cgroups 2>/dev/null)\"; fi",
    "echo \"swap_lines=$(awk 'NR>1' /proc/swaps 2>/dev/null | wc -l)\"",
    `for c in ${PROBED_COMMANDS.join(' ')}; do p=$(command -v "$c" 2>/dev/null) && echo "command.$c=$p"; done`,
    'if command -v node >/dev/null 2>&1; then echo "node_version=$(node -v 2>/dev/null)"; fi',
    `for d in ${CNI_DIRS.join(' ')}; do if [ -x "$d/bridge" ]; then echo "cni_dir=$d"; echo "cni_plugins=$(cd "$d" && ls ${CNI_PLUGINS.join(' ')} 2>/dev/null | tr '\\n' ' ')"; break; fi; done`,
    // /proc/net/tcp*: the local address column ends in :PORT (hex); state 0A is LISTEN.
    "echo \"listening=$(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$4==\"0A\" {split($2,a,\":\"); print a[2]}' | sort -u | tr '\\n' ' ')\"",
    'echo "clock_s=$(date +%s)"',
    'if [ -d /run/systemd/system ]; then echo init=systemd; elif command -v openrc >/dev/null 2>&1 || [ -d /run/openrc ]; then echo init=openrc; else echo init=none; fi',
    'grep -qw overlay /proc/filesystems && echo overlayfs=1',
    'exit 0',
  ].join('\n');
}

/** Parses the script's output; `clockMs` is the laptop's estimate of the host's clock. */
export function parseFacts(output: string): HostFacts {
  const kv = new Map<string, string>();
  for (const line of output.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const get = (k: string) => kv.get(k) ?? '';
  const words = (k: string) => get(k).split(/\s+/).filter(Boolean);
  const commands: Record<string, string> = {};
  for (const [k, v] of kv) if (k.startsWith('command.') && v) commands[k.slice('command.'.length)] = v;
  const pm = commands['apt-get'] ? 'apt' : commands.dnf ? 'dnf' : commands.apk ? 'apk' : undefined;
  return {
    os: { id: get('os.id'), versionId: get('os.version_id'), prettyName: get('os.pretty_name'), idLike: words('os.id_like') },
    machine: get('machine'),
    kernel: get('kernel'),
    hostname: get('hostname'),
    machineId: get('machine_id'),
    cgroupFs: get('cgroup_fs'),
    cgroupControllers: words('cgroup_controllers'),
    swapOn: Number(get('swap_lines') || 0) > 0,
    commands,
    nodeVersion: kv.get('node_version') || undefined,
    cniDir: kv.get('cni_dir') || undefined,
    cniPlugins: words('cni_plugins'),
    listeningPorts: words('listening').map((h) => parseInt(h, 16)).filter((n) => Number.isInteger(n)),
    clockMs: Number(get('clock_s')) * 1000,
    init: (['systemd', 'openrc'].includes(get('init')) ? get('init') : 'none') as HostFacts['init'],
    packageManager: pm,
    overlayfs: get('overlayfs') === '1',
  };
}

/** Runs the script on the host. The clock offset is measured against the laptop's clock at the midpoint of the round trip. */
export async function gatherFacts(host: RemoteHost): Promise<{ facts: HostFacts; clockSkewMs: number }> {
  const sent = Date.now();
  // On stdin to sh, whatever the user's login shell is.
  const result = await host.run('sh -s', { stdin: factsScript(), timeoutMs: 30_000 });
  const received = Date.now();
  if (result.code !== 0) throw new Error(`${host.label}: gathering facts failed (exit ${result.code}): ${result.stderr.trim().split('\n').at(-1) ?? ''}`);
  const facts = parseFacts(result.stdout);
  // The host prints whole seconds: an offset under a second is noise.
  const skew = facts.clockMs - (sent + received) / 2;
  return { facts, clockSkewMs: Math.abs(skew) < 1000 ? 0 : skew };
}
