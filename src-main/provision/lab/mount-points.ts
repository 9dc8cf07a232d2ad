// What each host gets of its own, over the machine's shared filesystem: fresh folders over the
// paths an installer writes, an overlay over /usr/local/bin (the machine's binaries stay
// visible, what the host adds stays its own), and its own identity files. A bind mount needs its
// mount point to exist on the machine: the ones a lab had to make are listed in one record for
// all labs, and the last lab to go removes them, so that nothing is left and no lab pulls a
// mount point from under another one still running.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Folders an installer writes (the agent's config, state, bundle, unit and logs). */
export const PRIVATE_DIRS = ['/etc/kubelab', '/var/lib/kubelab-agent', '/usr/local/lib/kubelab', '/etc/systemd/system', '/var/log/kubelab'];
/** Files that make a machine itself. */
export const PRIVATE_FILES = ['/etc/machine-id', '/etc/hostname', '/etc/hosts'];
/** Overlaid rather than replaced: node and the machine's tools live there. */
export const OVERLAID_DIRS = ['/usr/local/bin'];

/** sshd's privilege separation directory (compiled in), which its init script makes. */
const SSHD_PRIVSEP_DIR = '/run/sshd';
const RECORD = '/run/kubelab-lab/mount-points';

function recorded(): string[] {
  try {
    return readFileSync(RECORD, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

function record(paths: string[]): void {
  if (paths.length === 0) return;
  mkdirSync(dirname(RECORD), { recursive: true });
  writeFileSync(RECORD, [...new Set([...recorded(), ...paths])].map((p) => `${p}\n`).join(''));
}

/** Makes the mount points missing on the machine (recording them), each missing parent too. */
export function ensureMountPoints(): void {
  const made: string[] = [];
  const makeDir = (path: string) => {
    if (existsSync(path)) return;
    makeDir(dirname(path));
    mkdirSync(path, { mode: 0o755 });
    made.push(path);
  };
  for (const d of [...PRIVATE_DIRS, ...OVERLAID_DIRS, SSHD_PRIVSEP_DIR]) makeDir(d);
  for (const f of PRIVATE_FILES) {
    if (existsSync(f)) continue;
    makeDir(dirname(f));
    writeFileSync(f, '', { mode: 0o644 });
    made.push(f);
  }
  record(made);
}

/**
 * Removes the recorded mount points when no lab is left on the machine (`otherLabs` false),
 * deepest first, each only while still empty: what someone put there since is theirs.
 * Returns the recorded paths that are still there.
 */
export function releaseMountPoints(otherLabs: boolean): string[] {
  const paths = recorded();
  if (otherLabs) return [];
  const kept: string[] = [];
  for (const p of [...paths].sort((a, b) => b.length - a.length)) {
    try {
      const st = statSync(p);
      if (st.isDirectory() && readdirSync(p).length === 0) rmdirSync(p);
      else if (st.isFile() && st.size === 0) rmSync(p);
      else kept.push(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') kept.push(p);
    }
  }
  if (kept.length === 0) rmSync(dirname(RECORD), { recursive: true, force: true });
  else writeFileSync(RECORD, kept.map((p) => `${p}\n`).join(''));
  return kept;
}
