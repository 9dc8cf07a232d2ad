// Snapshots: the whole key space at one revision, so a restart reads one file plus the log written
// since, instead of every write ever made. A snapshot is written to a temporary file, synced, and
// renamed into place (then the folder is synced), so a file named snapshot-*.snap is always
// complete; it also ends with a record that counts its entries, as a second check.
import { open } from 'node:fs/promises';
import { readdirSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { frame, kvBytes, readKv, RecordOp, writeKv } from './record-codec.ts';
import { readRecords } from './record-reader.ts';
import { fsyncDir } from './fsync-dir.ts';
import type { KeyValue } from './store.ts';

const SNAPSHOT_RE = /^snapshot-(\d{16})\.snap$/;
const CHUNK_BYTES = 1024 * 1024;

export interface Snapshot {
  /** Every key as of this revision. */
  revision: number;
  /** The compacted revision at that time. */
  compacted: number;
  /** Sorted by key. */
  kvs: KeyValue[];
}

function snapshotName(revision: number): string {
  return `snapshot-${String(revision).padStart(16, '0')}.snap`;
}

/** Snapshot revisions present in dir, ascending; removes temporary files a crash left behind. */
export function listSnapshots(dir: string): number[] {
  const revisions: number[] = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith('snapshot-') && name.endsWith('.tmp')) unlinkSync(join(dir, name));
    const m = SNAPSHOT_RE.exec(name);
    if (m) revisions.push(Number(m[1]));
  }
  return revisions.sort((a, b) => a - b);
}

/**
 * Writes kvs (sorted by key) as the snapshot at revision. Async and in chunks of about 1 MiB, so
 * writers keep going while a large snapshot is written.
 */
export async function writeSnapshot(dir: string, snapshot: Snapshot): Promise<void> {
  const finalPath = join(dir, snapshotName(snapshot.revision));
  const tmpPath = `${finalPath}.tmp`;
  const file = await open(tmpPath, 'w');
  try {
    const header = Buffer.allocUnsafe(1 + 24);
    header[0] = RecordOp.SnapshotHeader;
    header.writeDoubleLE(snapshot.revision, 1);
    header.writeDoubleLE(snapshot.compacted, 9);
    header.writeDoubleLE(snapshot.kvs.length, 17);
    await file.write(frame(header));
    let i = 0;
    while (i < snapshot.kvs.length) {
      let bytes = 1;
      let end = i;
      while (end < snapshot.kvs.length && bytes < CHUNK_BYTES) bytes += 4 + kvBytes(snapshot.kvs[end++]);
      const payload = Buffer.allocUnsafe(bytes);
      payload[0] = RecordOp.SnapshotChunk;
      let off = 1;
      for (; i < end; i++) {
        const next = writeKv(payload, off + 4, snapshot.kvs[i]);
        payload.writeUInt32LE(next - off - 4, off);
        off = next;
      }
      await file.write(frame(payload));
    }
    const trailer = Buffer.allocUnsafe(1 + 8);
    trailer[0] = RecordOp.SnapshotEnd;
    trailer.writeDoubleLE(snapshot.kvs.length, 1);
    await file.write(frame(trailer));
    await file.datasync();
  } catch (err) {
    await file.close();
    unlinkSync(tmpPath);
    throw err;
  }
  await file.close();
  renameSync(tmpPath, finalPath);
  fsyncDir(dir);
}

/** Reads the snapshot at revision; throws if it is damaged in any way. */
export function readSnapshot(dir: string, revision: number): Snapshot {
  const path = join(dir, snapshotName(revision));
  let header: { revision: number; compacted: number; count: number } | undefined;
  let ended = false;
  const kvs: KeyValue[] = [];
  const outcome = readRecords(path, (payload, offset) => {
    const op = payload[0];
    if (op === RecordOp.SnapshotHeader && !header && payload.length === 25) {
      header = { revision: payload.readDoubleLE(1), compacted: payload.readDoubleLE(9), count: payload.readDoubleLE(17) };
    } else if (op === RecordOp.SnapshotChunk && header && !ended) {
      for (let off = 1; off < payload.length; ) {
        const len = payload.readUInt32LE(off);
        kvs.push(readKv(payload, off + 4, off + 4 + len));
        off += 4 + len;
      }
    } else if (op === RecordOp.SnapshotEnd && header && payload.readDoubleLE(1) === kvs.length) {
      ended = true;
    } else {
      throw new Error(`store: snapshot ${path} has an unexpected record at offset ${offset}`);
    }
  });
  if (outcome.problem || !header || !ended || header.count !== kvs.length || header.revision !== revision) {
    throw new Error(`store: snapshot ${path} is damaged (${outcome.problem ?? 'incomplete'}); refusing to start`);
  }
  return { revision, compacted: header.compacted, kvs };
}

/** Deletes every snapshot older than revision. */
export function removeSnapshotsBefore(dir: string, revision: number): void {
  for (const r of listSnapshots(dir)) if (r < revision) unlinkSync(join(dir, snapshotName(r)));
}
