// A minimal reader for the protobuf wire format (varints, fixed 32/64-bit, length-delimited),
// written here so the server does not need protobufjs at run time. Every read is bounds-checked
// and reports the absolute offset, so truncated input ends in a ProtobufDecodeError.
import { ProtobufDecodeError } from './errors.ts';

export const WireType = { varint: 0, fixed64: 1, bytes: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;

/** A 64-bit varint as two unsigned 32-bit halves (JS numbers cannot hold all 64 bits exactly). */
export interface Varint64 {
  lo: number;
  hi: number;
}

export class ProtoReader {
  pos: number;
  readonly end: number;

  /** `base` is where `buf` sits in the whole body, for error messages. */
  constructor(
    private readonly buf: Buffer,
    private readonly base = 0,
  ) {
    this.pos = 0;
    this.end = buf.length;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  offset(): number {
    return this.base + this.pos;
  }

  private truncated(): never {
    throw new ProtobufDecodeError(`truncated message at offset ${this.offset()}`);
  }

  varint64(): Varint64 {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.truncated();
      const b = this.buf[this.pos++];
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if ((b & 0x80) === 0) return { lo: lo >>> 0, hi: hi >>> 0 };
    }
    throw new ProtobufDecodeError(`varint longer than 10 bytes at offset ${this.offset()}`);
  }

  /** A tag: field number and wire type. */
  tag(): { field: number; wire: number } {
    const at = this.offset();
    const v = this.varint64();
    if (v.hi !== 0 || v.lo >>> 3 === 0) throw new ProtobufDecodeError(`invalid field number at offset ${at}`);
    return { field: v.lo >>> 3, wire: v.lo & 7 };
  }

  /** Length-delimited payload: a sub-buffer plus its offset in the whole body. */
  bytes(): { buf: Buffer; base: number } {
    const at = this.offset();
    const len = this.varint64();
    if (len.hi !== 0 || len.lo > this.end - this.pos) throw new ProtobufDecodeError(`truncated message at offset ${at}: length ${len.hi ? 'too large' : len.lo} exceeds the ${this.end - this.pos} bytes left`);
    const start = this.pos;
    this.pos += len.lo;
    return { buf: this.buf.subarray(start, this.pos), base: this.base + start };
  }

  fixed32(): Buffer {
    if (this.end - this.pos < 4) this.truncated();
    const out = this.buf.subarray(this.pos, this.pos + 4);
    this.pos += 4;
    return out;
  }

  fixed64(): Buffer {
    if (this.end - this.pos < 8) this.truncated();
    const out = this.buf.subarray(this.pos, this.pos + 8);
    this.pos += 8;
    return out;
  }

  /** Skips one field's value of the given wire type (unknown fields are ignored, like Go does). */
  skip(wire: number, field: number, depth = 0): void {
    switch (wire) {
      case WireType.varint:
        this.varint64();
        return;
      case WireType.fixed64:
        this.fixed64();
        return;
      case WireType.bytes:
        this.bytes();
        return;
      case WireType.fixed32:
        this.fixed32();
        return;
      case WireType.startGroup: {
        // Deprecated groups: nothing Kubernetes sends, but legal protobuf; skip to the matching end.
        if (depth > 32) throw new ProtobufDecodeError(`groups nested too deeply at offset ${this.offset()}`);
        for (;;) {
          if (this.done()) this.truncated();
          const t = this.tag();
          if (t.wire === WireType.endGroup) {
            if (t.field !== field) throw new ProtobufDecodeError(`mismatched end group ${t.field} at offset ${this.offset()}`);
            return;
          }
          this.skip(t.wire, t.field, depth + 1);
        }
      }
      default:
        throw new ProtobufDecodeError(`invalid wire type ${wire} for field ${field} at offset ${this.offset()}`);
    }
  }
}

/** int64 (two's complement): exact up to 2^53, beyond that the nearest double, as JSON would give. */
export function toInt64(v: Varint64): number {
  return (v.hi | 0) * 0x100000000 + v.lo;
}

export function toUint64(v: Varint64): number {
  return v.hi * 0x100000000 + v.lo;
}

/** int32 is sent sign-extended to 64 bits; the low half is the value. */
export function toInt32(v: Varint64): number {
  return v.lo | 0;
}

export function zigzag64(v: Varint64): number {
  const neg = v.lo & 1;
  const lo = ((v.lo >>> 1) | (v.hi << 31)) >>> 0;
  const hi = v.hi >>> 1;
  const mag = hi * 0x100000000 + lo;
  return neg ? -mag - 1 : mag;
}
