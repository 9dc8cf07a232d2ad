// Reads framed records (record-codec.ts) from a file front to back, in blocks, so that a large
// log or snapshot never has to sit in memory whole. It stops at the first frame that is torn
// (the file ends inside it) or corrupt (bad length or checksum) and reports where, so the caller
// decides whether to cut the file there (log tail) or refuse it (snapshot).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { FRAME_HEADER_BYTES, unframe } from './record-codec.ts';

const BLOCK_BYTES = 4 * 1024 * 1024;

export interface ReadOutcome {
  /** Bytes from the start of the file that hold complete, valid records. */
  validBytes: number;
  fileBytes: number;
  /** Why reading stopped before the end of the file, if it did. */
  problem?: 'torn' | 'corrupt';
}

/**
 * Calls onRecord for each valid record, in file order. The payload is only valid during the call
 * (its memory is reused), so decoders must copy what they keep.
 */
export function readRecords(path: string, onRecord: (payload: Buffer, offset: number) => void): ReadOutcome {
  const fd = openSync(path, 'r');
  try {
    const fileBytes = fstatSync(fd).size;
    let buf = Buffer.allocUnsafe(Math.min(BLOCK_BYTES, Math.max(fileBytes, FRAME_HEADER_BYTES)));
    let bufStart = 0; // file offset of buf[0]
    let bufLen = 0; // bytes of buf in use
    let pos = 0; // offset in buf of the next record
    for (;;) {
      const result = unframe(buf.subarray(0, bufLen), pos);
      if (typeof result !== 'string') {
        onRecord(result, bufStart + pos);
        pos += FRAME_HEADER_BYTES + result.length;
        continue;
      }
      if (result === 'corrupt') return { validBytes: bufStart + pos, fileBytes, problem: 'corrupt' };
      // 'short': the record continues past what is in buf; read more, or it is torn at the end.
      const validBytes = bufStart + pos;
      const leftover = bufLen - pos;
      let needed = FRAME_HEADER_BYTES;
      if (leftover >= FRAME_HEADER_BYTES) needed = FRAME_HEADER_BYTES + buf.readUInt32LE(pos);
      if (validBytes + needed > fileBytes) {
        // The file ends inside this record (a write cut short by a crash), or its length is garbage.
        return validBytes === fileBytes ? { validBytes, fileBytes } : { validBytes, fileBytes, problem: 'torn' };
      }
      if (needed > buf.length) {
        const bigger = Buffer.allocUnsafe(Math.max(needed, buf.length * 2));
        buf.copy(bigger, 0, pos, bufLen);
        buf = bigger;
      } else {
        buf.copy(buf, 0, pos, bufLen);
      }
      bufStart += pos;
      bufLen = leftover;
      pos = 0;
      const n = readSync(fd, buf, bufLen, buf.length - bufLen, bufStart + bufLen);
      bufLen += n;
      if (n === 0) return { validBytes, fileBytes: bufStart + bufLen, problem: 'torn' }; // it shrank under us
    }
  } finally {
    closeSync(fd);
  }
}
