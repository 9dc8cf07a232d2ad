// Reading a CRI log back as `kubectl logs` shows it (the kubelet's ReadLogs): from the last
// tailLines entries, those at or after `since`, content only or with the RFC3339Nano time before
// each line (not before the later pieces of a long one), cut at limitBytes; with follow, the file
// is watched for more until the container's output ends, and a rotation is followed to the new file.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { parseEntry, rfc3339Nano } from './cri-format.ts';

export interface LogReadOptions {
  follow?: boolean;
  /** The last N entries only. */
  tailLines?: number;
  /** Entries before this (ns since the epoch) are skipped. */
  sinceNs?: bigint;
  timestamps?: boolean;
  limitBytes?: number;
  /** While true, follow waits for more at the end of the file. */
  running?: () => boolean;
  signal?: AbortSignal;
  pollMs?: number;
}

/** What the reader writes to; resolves when the chunk may be followed by more (backpressure). */
export type LogSink = (chunk: Buffer) => Promise<void> | void;

const BLOCK = 64 * 1024;

/** Offset of the start of the last `lines` lines of the file. */
async function tailOffset(file: FileHandle, size: number, lines: number): Promise<number> {
  if (lines <= 0) return size;
  let pos = size;
  let seen = 0;
  const buf = Buffer.alloc(BLOCK);
  // A final newline ends the last line; it does not start another.
  let skipLast = true;
  while (pos > 0) {
    const len = Math.min(BLOCK, pos);
    pos -= len;
    await file.read(buf, 0, len, pos);
    for (let i = len - 1; i >= 0; i--) {
      if (buf[i] !== 0x0a) continue;
      if (skipLast && pos + i === size - 1) continue;
      if (++seen === lines) return pos + i + 1;
    }
    skipLast = false;
  }
  return 0;
}

export async function readLog(path: string, opts: LogReadOptions, sink: LogSink): Promise<void> {
  let remain = opts.limitBytes ?? Infinity;
  let newLine = true;
  /** Writes one entry as the kubelet's logWriter; false once limitBytes is reached. */
  const write = async (line: Buffer): Promise<boolean> => {
    const entry = parseEntry(line);
    if (!entry) return true;
    if (opts.sinceNs !== undefined && entry.ns < opts.sinceNs) return true;
    const parts = [entry.content, ...(entry.partial ? [] : [Buffer.from('\n')])];
    if (opts.timestamps && newLine) parts.unshift(Buffer.from(`${rfc3339Nano(entry.ns)} `));
    newLine = !entry.partial;
    let out = Buffer.concat(parts);
    if (out.length > remain) out = out.subarray(0, remain);
    remain -= out.length;
    if (out.length) await sink(out);
    return remain > 0;
  };
  let file = await open(path, 'r');
  try {
    let pos = opts.tailLines === undefined ? 0 : await tailOffset(file, (await file.stat()).size, opts.tailLines);
    let pending: Buffer = Buffer.alloc(0);
    const buf = Buffer.alloc(BLOCK);
    // Once the output ended, the file is read to its end once more: what came just before counts.
    let lastPass = false;
    for (;;) {
      if (opts.signal?.aborted) return;
      const { bytesRead } = await file.read(buf, 0, BLOCK, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        let data = pending.length ? Buffer.concat([pending, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
        for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a)) {
          if (!(await write(data.subarray(0, nl)))) return;
          data = data.subarray(nl + 1);
        }
        pending = Buffer.from(data);
        continue;
      }
      if (!opts.follow) return;
      // At the end: a rotation put a new file at the path; else wait while the container runs.
      const now = await stat(path).catch(() => undefined);
      if (now && now.ino !== (await file.stat()).ino) {
        await file.close();
        file = await open(path, 'r');
        pos = 0;
        pending = Buffer.alloc(0);
        continue;
      }
      if (lastPass) return;
      if (!(opts.running?.() ?? false)) {
        lastPass = true;
        continue;
      }
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 100));
    }
  } finally {
    await file.close();
  }
}
