// One host's private view of the machine: the folder under the lab's dir that holds what the
// host writes, and the script that builds the host's mount and UTS namespaces before it execs
// sshd. The script runs in the host's network namespace already (nsenter), in a fresh mount and
// UTS namespace (unshare). It does not use `ip netns exec`, which makes every mount a slave
// (so pod namespaces made in /run/netns would not reach the machine) and replaces /sys with a
// sysfs that has no /sys/fs/cgroup under it (which the agent needs).
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OVERLAID_DIRS, PRIVATE_DIRS, PRIVATE_FILES } from './mount-points.ts';
import type { HostLayout, LabLayout } from './names.ts';

/** Where the host's own copy of a machine path lives: `<host dir>/root<path>`. */
export const hostPath = (host: HostLayout, path: string): string => join(host.dir, 'root', path);
const workDir = (host: HostLayout, name: string): string => join(host.dir, 'work', name);

/** Single-quotes a string for sh. */
const sh = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function hostsFile(layout: LabLayout, host: HostLayout): string {
  const lab = layout.hosts.map((h) => `${h.address}\t${h.hostname}`);
  return ['127.0.0.1\tlocalhost', `127.0.1.1\t${host.hostname}`, '::1\tlocalhost ip6-localhost ip6-loopback', ...lab].join('\n') + '\n';
}

/** Creates the host's folder with its identity files (mode 0755: sshd reads keys as the user). */
export function prepareHostRoot(layout: LabLayout, host: HostLayout): void {
  for (const d of PRIVATE_DIRS) mkdirSync(hostPath(host, d), { recursive: true, mode: 0o755 });
  for (const d of OVERLAID_DIRS) mkdirSync(hostPath(host, d), { recursive: true, mode: 0o755 });
  for (const w of ['cgroup', ...OVERLAID_DIRS.map(overlayWorkName)]) mkdirSync(workDir(host, w), { recursive: true, mode: 0o755 });
  writeFileSync(hostPath(host, '/etc/hostname'), `${host.hostname}\n`);
  // As systemd writes it: 128 random bits, lower-case hex, one line.
  writeFileSync(hostPath(host, '/etc/machine-id'), `${randomBytes(16).toString('hex')}\n`, { mode: 0o444 });
  writeFileSync(hostPath(host, '/etc/hosts'), hostsFile(layout, host));
}

const overlayWorkName = (dir: string): string => dir.slice(1).replace(/\//g, '-');

/** The sh script that makes the host's namespaces its own, then becomes sshd. */
export function hostSetupScript(host: HostLayout, sshdConfig: string, sshdLog: string): string {
  const cgroupTmp = workDir(host, 'cgroup');
  const lines = [
    'set -eu',
    '# The copies of the machine\'s mounts are shared with it where the machine\'s are; make each a',
    '# slave, so nothing mounted here reaches the machine. /run/netns stays shared: a pod\'s',
    '# namespace made by the host\'s agent must be visible to the machine and outlive sshd.',
    "awk '{print $5}' /proc/self/mountinfo | while read -r mp; do",
    '  case "$mp" in /run/netns|/run/netns/*) continue ;; esac',
    '  mount --make-slave "$mp" 2>/dev/null || true',
    'done',
    '# A sysfs of this network namespace (/sys/class/net lists eth0), keeping the cgroup mounts.',
    `mount --rbind /sys/fs/cgroup ${sh(cgroupTmp)}`,
    'mount -t sysfs sysfs /sys',
    `mount --move ${sh(cgroupTmp)} /sys/fs/cgroup`,
    ...[...PRIVATE_DIRS, ...PRIVATE_FILES].map((p) => `mount --bind ${sh(hostPath(host, p))} ${sh(p)}`),
    ...OVERLAID_DIRS.map((d) => `mount -t overlay overlay -o ${sh(`lowerdir=${d},upperdir=${hostPath(host, d)},workdir=${workDir(host, overlayWorkName(d))}`)} ${sh(d)}`),
    `hostname ${sh(host.hostname)}`,
    `exec /usr/sbin/sshd -D -f ${sh(sshdConfig)} -E ${sh(sshdLog)}`,
  ];
  return lines.join('\n') + '\n';
}
