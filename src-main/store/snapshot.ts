// Snapshots: the whole key space at one revision, so a restart reads one file plus the log written
// since, instead of every write ever made. A snapshot is written to a temporary file, synced, and
// renamed into place (then the folder is synced), so a file named snapshot-*.snap is always
// complete; it also ends with a record that counts its entries, as a second check. Once written,
// a snapshot is the DataFile that the values it holds are read from.
import { open } from 'node:fs/promises';
import { readdirSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { FRAME_HEADER_BYTES, framed, kvBytes, readKv, RecordOp, writeKv } from './record-codec.ts';
import { readRecords } from './record-reader.ts';
import { fsyncDir } from './fsync-dir.ts';
import type { DataFile } from './data-file.ts';
import { StoredKeyValue } from './stored-key-value.ts';
import { ValueRef } from './value-ref.ts';

const SNAPSHOT_RE = /^snapshot-(\d{16})\.snap$/;
const CHUNK_BYTES = 1024 * 1024;

export interface Snapshot {
  /** Every key as of this revision. */
  revision: number;
  /** The compacted revision at that time. */
  compacted: number;
  /** Sorted by key. */
  kvs: StoredKeyValue[];
}

export function snapshotPath(dir: string, revision: number): string {
  return join(dir, snapshotName(revision));
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
 * writers keep going while a large snapshot is written. Returns where in the file each kv's value
 * is (in the order of kvs).
 */
export async function writeSnapshot(dir: string, snapshot: Snapshot): Promise<Float64Array> {
  const finalPath = snapshotPath(dir, snapshot.revision);
  const tmpPath = `${finalPath}.tmp`;
  const file = await open(tmpPath, 'w');
  const positions = new Float64Array(snapshot.kvs.length);
  try {
    const header = framed(1 + 24, (payload) => {
      payload[0] = RecordOp.SnapshotHeader;
      payload.writeDoubleLE(snapshot.revision, 1);
      payload.writeDoubleLE(snapshot.compacted, 9);
      payload.writeDoubleLE(snapshot.kvs.length, 17);
    });
    await file.write(header);
    let fileBytes = header.length;
    let i = 0;
    while (i < snapshot.kvs.length) {
      let bytes = 1;
      let end = i;
      while (end < snapshot.kvs.length && bytes < CHUNK_BYTES) bytes += 4 + kvBytes(snapshot.kvs[end++]);
      const chunk = framed(bytes, (payload) => {
        payload[0] = RecordOp.SnapshotChunk;
        let off = 1;
        for (; i < end; i++) {
          const kv = snapshot.kvs[i];
          const next = writeKv(payload, off + 4, kv);
          payload.writeUInt32LE(next - off - 4, off);
          positions[i] = fileBytes + FRAME_HEADER_BYTES + next - kv.ref.length;
          off = next;
        }
      });
      await file.write(chunk);
      fileBytes += chunk.length;
    }
    await file.write(
      framed(1 + 8, (payload) => {
        payload[0] = RecordOp.SnapshotEnd;
        payload.writeDoubleLE(snapshot.kvs.length, 1);
      }),
    );
    await file.datasync();
  } catch (err) {
    await file.close();
    unlinkSync(tmpPath);
    throw err;
  }
  await file.close();
  renameSync(tmpPath, finalPath);
  fsyncDir(dir);
  return positions;
}

/**
 * Reads the snapshot at revision from file, leaving its values there to be read when needed;
 * throws if it is damaged in any way.
 */
export function readSnapshot(file: DataFile, revision: number): Snapshot {
  const path = file.path;
  let header: { revision: number; compacted: number; count: number } | undefined;
  let ended = false;
  const kvs: StoredKeyValue[] = [];
  const outcome = readRecords(path, (payload, offset) => {
    const op = payload[0];
    if (op === RecordOp.SnapshotHeader && !header && payload.length === 25) {
      header = { revision: payload.readDoubleLE(1), compacted: payload.readDoubleLE(9), count: payload.readDoubleLE(17) };
    } else if (op === RecordOp.SnapshotChunk && header && !ended) {
      for (let off = 1; off < payload.length; ) {
        const len = payload.readUInt32LE(off);
        const r = readKv(payload, off + 4, off + 4 + len);
        const ref = ValueRef.inFile(file, offset + FRAME_HEADER_BYTES + r.valueStart, r.valueLength);
        kvs.push(new StoredKeyValue(r.key, ref, r.createRevision, r.modRevision, r.version));
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
