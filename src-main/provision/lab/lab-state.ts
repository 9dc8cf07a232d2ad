// The small state file a lab keeps in its folder: written before anything is created and
// updated as hosts start, so that removal after a crash (of the test, the CLI or the machine's
// power) knows what to look for beyond the lab's names: the hosts' mount namespaces.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { LabLayout } from './names.ts';
import { statePath } from './names.ts';

export interface HostState {
  netns: string;
  /** The sshd that holds the host's namespaces. */
  pid?: number;
  /** `mnt:[inode]` of the host's mount namespace, as /proc/PID/ns/mnt reads. */
  mntNs?: string;
}

export interface LabState {
  layout: LabLayout;
  hosts: HostState[];
}

export function readLabState(lab: string, dir: string): LabState | undefined {
  try {
    return JSON.parse(readFileSync(statePath(lab, dir), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

/** Written whole through a rename, so a crash never leaves half a file. */
export function writeLabState(dir: string, state: LabState): void {
  const path = statePath(state.layout.lab, dir);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

export function removeLabState(lab: string, dir: string): void {
  rmSync(statePath(lab, dir), { force: true });
  rmSync(`${statePath(lab, dir)}.tmp`, { force: true });
}
