// The kubelet's AtomicWriter: how configMap, secret, downwardAPI and projected volumes change
// under a running container without it ever seeing half an update. The files of one version live
// in a fresh hidden directory (..2026_12_01_10_00_00.123456789); `..data` is a symlink to the
// current one, swapped by rename (atomic); each visible path is a symlink through `..data`. A new
// version is written beside, the link swapped, then the old directory removed.
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';

export interface PayloadFile {
  /** Relative path inside the volume, e.g. `game.properties` or `conf/app.yaml`. */
  path: string;
  content: Buffer;
  mode: number;
}

const DATA_LINK = '..data';

/** Refuses paths that would leave the volume (upstream's validatePath). */
export function checkPayloadPath(path: string): void {
  if (path === '' || path.startsWith('/') || path.length > 4096) throw new Error(`invalid path ${JSON.stringify(path)}: must be relative and not empty`);
  const parts = path.split('/');
  if (parts.some((p) => p === '..')) throw new Error(`invalid path ${JSON.stringify(path)}: must not contain '..'`);
  if (parts[0].startsWith('..')) throw new Error(`invalid path ${JSON.stringify(path)}: must not start with '..'`);
}

function timestampedName(now: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const ns = `${p(now.getUTCMilliseconds(), 3)}${String(process.hrtime.bigint() % 1000000n).padStart(6, '0')}`;
  return `..${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}.${ns}`;
}

/** The payload as currently visible in dir (path → content and mode), for comparing. */
function current(dir: string): Map<string, PayloadFile> {
  const out = new Map<string, PayloadFile>();
  const link = join(dir, DATA_LINK);
  if (!existsSync(link)) return out;
  const base = join(dir, readlinkSync(link));
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(base, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else out.set(path, { path, content: readFileSync(join(base, path)), mode: lstatSync(join(base, path)).mode & 0o7777 });
    }
  };
  walk('');
  return out;
}


function samePayload(a: Map<string, PayloadFile>, files: PayloadFile[]): boolean {
  if (a.size !== files.length) return false;
  return files.every((f) => {
    const b = a.get(f.path);
    return b !== undefined && b.mode === f.mode && b.content.equals(f.content);
  });
}

/**
 * Makes dir show exactly files. Returns false when it already did (nothing written), true after
 * an update. The directory itself is created if missing.
 */
export function writeAtomically(dir: string, files: PayloadFile[], now = new Date()): boolean {
  for (const f of files) checkPayloadPath(f.path);
  mkdirSync(dir, { recursive: true });
  if (existsSync(join(dir, DATA_LINK)) && samePayload(current(dir), files)) return false;
  const previous = existsSync(join(dir, DATA_LINK)) ? readlinkSync(join(dir, DATA_LINK)) : undefined;
  const version = timestampedName(now);
  const versionDir = join(dir, version);
  mkdirSync(versionDir, { mode: 0o755 });
  for (const f of files) {
    const target = join(versionDir, normalize(f.path));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.content);
    chmodSync(target, f.mode);
  }
  // Swap ..data: a new link beside, renamed over the old one.
  const tmpLink = join(dir, `..data_tmp_${process.pid}`);
  rmSync(tmpLink, { force: true });
  symlinkSync(version, tmpLink);
  renameSync(tmpLink, join(dir, DATA_LINK));
  linkVisiblePaths(dir, files);
  removeStale(dir, files, previous);
  return true;
}

/** Each top-level entry of the payload is a symlink through ..data (`a/b` shows as `a` → ..data/a). */
function linkVisiblePaths(dir: string, files: PayloadFile[]): void {
  for (const top of new Set(files.map((f) => f.path.split('/')[0]))) {
    const visible = join(dir, top);
    const target = join(DATA_LINK, top);
    if (existsSync(visible) || isLink(visible)) {
      if (isLink(visible) && readlinkSync(visible) === target) continue;
      rmSync(visible, { recursive: true, force: true });
    }
    symlinkSync(target, visible);
  }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Drops links for paths no longer in the payload, and the previous version's directory. */
function removeStale(dir: string, files: PayloadFile[], previous: string | undefined): void {
  const tops = new Set(files.map((f) => f.path.split('/')[0]));
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('..')) continue;
    if (!tops.has(entry) && isLink(join(dir, entry))) rmSync(join(dir, entry), { force: true });
  }
  if (previous && previous !== readlinkSync(join(dir, DATA_LINK)) && !previous.includes(sep)) rmSync(join(dir, previous), { recursive: true, force: true });
}
