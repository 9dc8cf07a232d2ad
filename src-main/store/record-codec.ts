// The bytes of the write-ahead log and of snapshots. Every record is framed as
//   [u32 payload length][u32 CRC-32 of the payload][payload]
// so a reader can tell a complete record from a torn or corrupted one without trusting anything
// after the first bad frame. Payloads are binary (not JSON) because the values are JSON text
// already: escaping them again would cost CPU on every write and bytes on disk.
import { crc32 } from 'node:zlib';
import type { StoredKeyValue } from './stored-key-value.ts';

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

/**
 * A framed record of payloadLength bytes; fill writes the payload (a view into the frame) before
 * the checksum is taken. Building the payload in place saves a copy of every value.
 */
export function framed(payloadLength: number, fill: (payload: Buffer) => void): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payloadLength);
  const payload = out.subarray(FRAME_HEADER_BYTES);
  fill(payload);
  out.writeUInt32LE(payloadLength, 0);
  out.writeUInt32LE(crc32(payload), 4);
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

export function kvBytes(kv: StoredKeyValue): number {
  return KV_FIXED_BYTES + Buffer.byteLength(kv.key) + kv.ref.length;
}

/** Writes kv at offset (buf must have kvBytes(kv) room) and returns the offset after it. */
export function writeKv(buf: Buffer, offset: number, kv: StoredKeyValue): number {
  const keyLen = writeKvHead(buf, offset, kv.key, kv.createRevision, kv.modRevision, kv.version);
  return kv.ref.copyTo(buf, offset + KV_FIXED_BYTES + keyLen);
}

function writeKvHead(buf: Buffer, offset: number, key: string, createRevision: number, modRevision: number, version: number): number {
  buf.writeDoubleLE(modRevision, offset);
  buf.writeDoubleLE(createRevision, offset + 8);
  buf.writeUInt32LE(version, offset + 16);
  const keyLen = buf.write(key, offset + KV_FIXED_BYTES, 'utf8');
  buf.writeUInt32LE(keyLen, offset + 20);
  return keyLen;
}

/** A key-value as a record holds it; the value is left where it is, as a range of the buffer. */
export interface KvRecord {
  key: string;
  createRevision: number;
  modRevision: number;
  version: number;
  /** Where the value's bytes start in the buffer that was read. */
  valueStart: number;
  valueLength: number;
}

/** Reads a kv occupying buf[offset, end). */
export function readKv(buf: Buffer, offset: number, end: number): KvRecord {
  if (end - offset < KV_FIXED_BYTES) throw new Error('record too short for a key-value');
  const keyLen = buf.readUInt32LE(offset + 20);
  const keyStart = offset + KV_FIXED_BYTES;
  if (keyStart + keyLen > end) throw new Error('key length beyond the record');
  return {
    key: buf.toString('utf8', keyStart, keyStart + keyLen),
    modRevision: buf.readDoubleLE(offset),
    createRevision: buf.readDoubleLE(offset + 8),
    version: buf.readUInt32LE(offset + 16),
    valueStart: keyStart + keyLen,
    valueLength: end - keyStart - keyLen,
  };
}

export interface PutRecord {
  record: Buffer;
  /** Where the value's bytes are in record (and so, once written, in the log). */
  valueStart: number;
  valueLength: number;
}

/** The framed log record of a put. */
export function encodePut(key: string, value: string, createRevision: number, modRevision: number, version: number): PutRecord {
  const keyLength = Buffer.byteLength(key);
  const valueLength = Buffer.byteLength(value);
  const record = framed(1 + KV_FIXED_BYTES + keyLength + valueLength, (payload) => {
    payload[0] = RecordOp.Put;
    writeKvHead(payload, 1, key, createRevision, modRevision, version);
    payload.write(value, 1 + KV_FIXED_BYTES + keyLength, 'utf8');
  });
  return { record, valueStart: FRAME_HEADER_BYTES + 1 + KV_FIXED_BYTES + keyLength, valueLength };
}

/** The framed log record of a delete. */
export function encodeDelete(key: string, revision: number): Buffer {
  return framed(1 + 8 + Buffer.byteLength(key), (payload) => {
    payload[0] = RecordOp.Delete;
    payload.writeDoubleLE(revision, 1);
    payload.write(key, 9, 'utf8');
  });
}

/** The framed log record of a compaction. */
export function encodeCompact(revision: number): Buffer {
  return framed(1 + 8, (payload) => {
    payload[0] = RecordOp.Compact;
    payload.writeDoubleLE(revision, 1);
  });
}

/** One change read back from the log. */
export type LoggedEntry =
  | { op: typeof RecordOp.Put; kv: KvRecord }
  | { op: typeof RecordOp.Delete; revision: number; key: string }
  | { op: typeof RecordOp.Compact; revision: number };

export function decodeWalEntry(payload: Buffer): LoggedEntry {
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
