// The processes of a lab: every process in one of its hosts' network or mount namespaces. sshd
// holds the namespaces, but whatever ran over SSH (an agent, its supervisor, a shell left in the
// background) is in them too, and a namespace lives as long as one of them does.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface LabProcess {
  pid: number;
  command: string;
}

const nsOf = (pid: string, kind: 'net' | 'mnt'): string | undefined => {
  try {
    return readlinkSync(`/proc/${pid}/ns/${kind}`);
  } catch {
    return undefined; // gone, or a zombie (which holds no namespace)
  }
};

const commandOf = (pid: string): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') || readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
};

/** Processes whose network namespace (`net:[inode]`) or mount namespace (`mnt:[inode]`) is listed. */
export function processesIn(namespaces: Set<string>): LabProcess[] {
  if (namespaces.size === 0) return [];
  const found: LabProcess[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const net = nsOf(pid, 'net');
    const mnt = nsOf(pid, 'mnt');
    if ((net && namespaces.has(net)) || (mnt && namespaces.has(mnt))) found.push({ pid: Number(pid), command: commandOf(pid) });
  }
  return found;
}

/** The mount namespaces (`mnt:[inode]`) in which some process sees a mount from one of `dirs`. */
export function mountNamespacesUsing(dirs: string[]): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const checked = new Set<string>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const mnt = nsOf(pid, 'mnt');
    if (!mnt || checked.has(mnt)) continue;
    checked.add(mnt);
    let info: string;
    try {
      info = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
    } catch {
      continue;
    }
    // Field 4 is the mount's root within its filesystem (a bind's source), field 5 its mount point.
    // An overlay names its layers in its options (upperdir=...).
    const lines = info.split('\n').filter((l) => dirs.some((d) => l.includes(`=${d}/`) || l.split(' ').slice(3, 5).some((p) => under(p, d))));
    const mounts = lines.map((l) => l.split(' ')[4]!);
    if (mounts.length > 0) seen.set(mnt, mounts);
  }
  return seen;
}

const under = (path: string | undefined, dir: string): boolean => path !== undefined && (path === dir || path.startsWith(`${dir}/`));

/** SIGKILLs the processes (test hosts need no grace), waits until they are gone; returns the survivors. */
export async function killAll(namespaces: Set<string>, timeoutMs = 5000): Promise<LabProcess[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = processesIn(namespaces);
    if (left.length === 0 || Date.now() > deadline) return left;
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch { /* gone meanwhile */ }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
