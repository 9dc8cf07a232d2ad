// Size-based rotation of a container's log, as the kubelet's container log manager does it
// (containerLogMaxSize 10Mi, containerLogMaxFiles 5): once the file reaches the size it is renamed
// to `<n>.log.<YYYYMMDD-hhmmss>`; rotated files but the newest are gzipped to `….gz`; the oldest
// go so that at most maxFiles files remain, the live one included. Upstream checks every 10 s;
// here the writer checks after each write, so a file never grows much past the size.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface RotationPolicy {
  maxSize: number;
  maxFiles: number;
}

export const DEFAULT_ROTATION: RotationPolicy = { maxSize: 10 * 1024 * 1024, maxFiles: 5 };

const pad = (n: number) => String(n).padStart(2, '0');

/** Go's "20060102-150405" in local time, as the kubelet names rotated files. */
function stamp(d: Date): string {
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

/** Sorts rotated names by their time, then the counter of rotations within one second. */
function rotationKey(name: string): string {
  const m = /\.(\d{8}-\d{6})(?:\.(\d+))?(?:\.gz)?(?:\.tmp)?$/.exec(name);
  return m ? `${m[1]}.${(m[2] ?? '0').padStart(6, '0')}` : name;
}

/** The rotated files of a log, oldest first. */
export function rotatedFiles(path: string): string[] {
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return [];
  }
  const rotated = names.filter((n) => n.startsWith(prefix));
  return rotated.sort((a, b) => rotationKey(a).localeCompare(rotationKey(b))).map((n) => join(dirname(path), n));
}

/** Moves the live file aside and tidies the rotated ones; the writer then opens a new live file. */
export function rotate(path: string, policy: RotationPolicy, now = new Date()): void {
  // Leftovers of an interrupted rotation: temporary files, and originals already compressed.
  let logs = rotatedFiles(path).filter((f) => {
    const unused = f.endsWith('.tmp') || (!f.endsWith('.gz') && existsSync(`${f}.gz`));
    if (unused) rmSync(f, { force: true });
    return !unused;
  });
  // After this rotation there are the new live file and the one rotated now besides these.
  const keep = Math.max(0, policy.maxFiles - 2);
  for (const f of logs.slice(0, Math.max(0, logs.length - keep))) rmSync(f, { force: true });
  logs = logs.slice(Math.max(0, logs.length - keep));
  for (const f of logs) if (!f.endsWith('.gz')) compress(f);
  let target = `${path}.${stamp(now)}`;
  // Two rotations within a second (a tiny maxSize): keep both.
  for (let i = 1; existsSync(target) || existsSync(`${target}.gz`); i++) target = `${path}.${stamp(now)}.${i}`;
  renameSync(path, target);
}

function compress(file: string): void {
  const tmp = `${file}.gz.tmp`;
  writeFileSync(tmp, gzipSync(readFileSync(file)));
  renameSync(tmp, `${file}.gz`);
  rmSync(file, { force: true });
}
