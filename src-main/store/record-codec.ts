// The bytes of the write-ahead log and of snapshots. Every record is framed as
//   [u32 payload length][u32 CRC-32 of the payload][payload]
// so a reader can tell a complete record from a torn or corrupted one without trusting anything
// after the first bad frame. Payloads are binary (not JSON) because the values are JSON text
// already: escaping them again would cost CPU on every write and bytes on disk.
import { crc32 } from 'node:zlib';
import type { KeyValue } from './store.ts';

export const FRAME_HEADER_BYTES = 8;
/** A length above this is not a real record but garbage in a torn tail. */
export const MAX_RECORD_BYTES = 512 * 1024 * 1024;

export const RecordOp = {
  Put: 1,
  Delete: 2,
  Compact: 3,
  SnapshotHeader: 10,
  SnapshotChunk: 11,
  SnapshotEnd: 12,
} as const;

export function frame(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  payload.copy(out, FRAME_HEADER_BYTES);
  return out;
}

/** Checks the frame at offset; returns the payload, 'short' if the buffer ends inside it, or 'corrupt'. */
export function unframe(buf: Buffer, offset: number): Buffer | 'short' | 'corrupt' {
  if (buf.length - offset < FRAME_HEADER_BYTES) return 'short';
  const len = buf.readUInt32LE(offset);
  // A zero length is what a zero-filled (preallocated, never written) tail looks like.
  if (len === 0 || len > MAX_RECORD_BYTES) return 'corrupt';
  if (buf.length - offset - FRAME_HEADER_BYTES < len) return 'short';
  const payload = buf.subarray(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + len);
  if (crc32(payload) !== buf.readUInt32LE(offset + 4)) return 'corrupt';
  return payload;
}

// A key-value inside a record: modRev f64, createRev f64, version u32, key length u32, key, value.
const KV_FIXED_BYTES = 8 + 8 + 4 + 4;

export function kvBytes(kv: KeyValue): number {
  return KV_FIXED_BYTES + Buffer.byteLength(kv.key) + Buffer.byteLength(kv.value);
}

/** Writes kv at offset (buf must have kvBytes(kv) room) and returns the offset after it. */
export function writeKv(buf: Buffer, offset: number, kv: KeyValue): number {
  buf.writeDoubleLE(kv.modRevision, offset);
  buf.writeDoubleLE(kv.createRevision, offset + 8);
  buf.writeUInt32LE(kv.version, offset + 16);
  const keyLen = buf.write(kv.key, offset + KV_FIXED_BYTES, 'utf8');
  buf.writeUInt32LE(keyLen, offset + 20);
  const valueLen = buf.write(kv.value, offset + KV_FIXED_BYTES + keyLen, 'utf8');
  return offset + KV_FIXED_BYTES + keyLen + valueLen;
}

/** Reads a kv occupying buf[offset, end). */
export function readKv(buf: Buffer, offset: number, end: number): KeyValue {
  if (end - offset < KV_FIXED_BYTES) throw new Error('record too short for a key-value');
  const keyLen = buf.readUInt32LE(offset + 20);
  const keyStart = offset + KV_FIXED_BYTES;
  if (keyStart + keyLen > end) throw new Error('key length beyond the record');
  return Object.freeze({
    key: buf.toString('utf8', keyStart, keyStart + keyLen),
    value: buf.toString('utf8', keyStart + keyLen, end),
    modRevision: buf.readDoubleLE(offset),
    createRevision: buf.readDoubleLE(offset + 8),
    version: buf.readUInt32LE(offset + 16),
  });
}

/** One change in the write-ahead log. */
export type WalEntry =
  | { op: typeof RecordOp.Put; kv: KeyValue }
  | { op: typeof RecordOp.Delete; revision: number; key: string }
  | { op: typeof RecordOp.Compact; revision: number };

export function encodeWalEntry(entry: WalEntry): Buffer {
  let payload: Buffer;
  switch (entry.op) {
    case RecordOp.Put:
      payload = Buffer.allocUnsafe(1 + kvBytes(entry.kv));
      writeKv(payload, 1, entry.kv);
      break;
    case RecordOp.Delete: {
      const keyLen = Buffer.byteLength(entry.key);
      payload = Buffer.allocUnsafe(1 + 8 + keyLen);
      payload.writeDoubleLE(entry.revision, 1);
      payload.write(entry.key, 9, 'utf8');
      break;
    }
    case RecordOp.Compact:
      payload = Buffer.allocUnsafe(1 + 8);
      payload.writeDoubleLE(entry.revision, 1);
      break;
  }
  payload[0] = entry.op;
  return frame(payload);
}

export function decodeWalEntry(payload: Buffer): WalEntry {
  switch (payload[0]) {
    case RecordOp.Put:
      return { op: RecordOp.Put, kv: readKv(payload, 1, payload.length) };
    case RecordOp.Delete:
      if (payload.length < 9) throw new Error('delete record too short');
      return { op: RecordOp.Delete, revision: payload.readDoubleLE(1), key: payload.toString('utf8', 9) };
    case RecordOp.Compact:
      if (payload.length < 9) throw new Error('compact record too short');
      return { op: RecordOp.Compact, revision: payload.readDoubleLE(1) };
    default:
      throw new Error(`unknown log record type ${payload[0]}`);
  }
}
