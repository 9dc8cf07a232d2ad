// One Kubelab per data folder. Node has no flock, so the lock is a file created with O_EXCL that
// names its holder. A lock whose process is gone (killed with SIGKILL, machine rebooted) is
// taken over, so a crash never needs a manual clean-up; a live holder makes the open fail.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { StoreLockedError } from './store.ts';

const LOCK_FILE = 'LOCK';

/** Folders locked by this process: a second open here must fail even though the pid is ours. */
const heldHere = new Set<string>();

interface LockContent {
  pid: number;
  hostname: string;
  since: string;
}

export interface DirLock {
  release(): void;
}

export function lockDir(dir: string): DirLock {
  const path = join(dir, LOCK_FILE);
  if (heldHere.has(path)) throw new StoreLockedError(dir, `this process, pid ${process.pid}`);
  const mine: LockContent = { pid: process.pid, hostname: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    // Write the content first and hard-link it into place: link fails if the lock exists (like
    // O_EXCL) and the lock never exists half-written, so an unreadable lock is truly stale.
    const draft = `${path}.new-${process.pid}`;
    writeFileSync(draft, JSON.stringify(mine) + '\n');
    try {
      linkSync(draft, path);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw err;
    } finally {
      unlinkSync(draft);
    }
    const holder = readHolder(path);
    if (holder && isAlive(holder)) throw new StoreLockedError(dir, describe(holder));
    // Stale. Move it aside rather than unlink it, and check that what moved is the stale lock: if
    // another starting process took over between our read and our move, put its lock back.
    const aside = `${path}.stale-${process.pid}`;
    try {
      renameSync(path, aside);
    } catch {
      continue; // someone else moved it first; try again
    }
    const moved = readHolder(aside);
    if (moved && holder && moved.pid !== holder.pid && isAlive(moved)) {
      renameSync(aside, path);
      throw new StoreLockedError(dir, describe(moved));
    }
    unlinkSync(aside);
  }
  heldHere.add(path);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      heldHere.delete(path);
      try {
        if (readHolder(path)?.pid === process.pid) unlinkSync(path);
      } catch {
        // already gone: nothing to release
      }
    },
  };
}

function readHolder(path: string): LockContent | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockContent>;
    if (typeof parsed.pid !== 'number') return undefined;
    return { pid: parsed.pid, hostname: String(parsed.hostname ?? ''), since: String(parsed.since ?? '') };
  } catch {
    return undefined; // unreadable or half-written: a crash while locking, so stale
  }
}

function isAlive(holder: LockContent): boolean {
  // A lock from another machine (a shared folder) cannot be checked: treat it as held.
  if (holder.hostname && holder.hostname !== hostname()) return true;
  // Our own pid but not in heldHere: a previous process that had the same pid (a container restart).
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
  // After a reboot the pid may belong to some unrelated process: one that started after the lock
  // was written cannot be its holder.
  const started = processStartMs(holder.pid);
  const since = Date.parse(holder.since);
  return started === undefined || Number.isNaN(since) || started <= since + 2000;
}

/** When a process started (Linux /proc; undefined elsewhere or if unreadable). */
function processStartMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticksAfterBoot = Number(fields[19]); // field 22 of the whole line: starttime
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    if (!btime || !Number.isFinite(ticksAfterBoot)) return undefined;
    return Number(btime[1]) * 1000 + (ticksAfterBoot / CLOCK_TICKS_PER_SECOND) * 1000;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

function describe(holder: LockContent): string {
  const where = holder.hostname && holder.hostname !== hostname() ? ` on ${holder.hostname}` : '';
  return `pid ${holder.pid}${where}, since ${holder.since}`;
}
