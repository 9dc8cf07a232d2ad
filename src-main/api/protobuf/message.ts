// Decodes one protobuf message into the JSON shape the Kubernetes JSON codec produces, driven
// by the field table. Go's marshaller writes every non-pointer field, zero or not; Go's JSON
// leaves a zero out only where the field is omitempty and not a pointer (flag "o"), and writes
// a zero time as null, so exactly those are dropped. A pointer set to 0/false, a non-omitempty
// "" and empty objects such as `resources: {}` reach the server as JSON would carry them.
import { ProtobufDecodeError } from './errors.ts';
import { ProtoReader, WireType, toInt32, toInt64, toUint64, zigzag64, type Varint64 } from './reader.ts';
import { specialMessages } from './special.ts';
import type { FieldSpec, TypeTable } from './table.ts';

/** Nesting limit: real objects are far shallower; garbage must not exhaust the stack. */
const maxDepth = 100;

const varintTypes = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'bool', 'enum']);
const fixed32Types = new Set(['fixed32', 'sfixed32', 'float']);
const fixed64Types = new Set(['fixed64', 'sfixed64', 'double']);

function varintValue(type: string, v: Varint64): number | boolean {
  switch (type) {
    case 'int32':
    case 'enum':
      return toInt32(v);
    case 'uint32':
      return v.lo;
    case 'int64':
      return toInt64(v);
    case 'uint64':
      return toUint64(v);
    case 'sint32':
    case 'sint64':
      return zigzag64(v);
    default:
      return v.lo !== 0 || v.hi !== 0;
  }
}

function fixedValue(type: string, b: Buffer): number {
  switch (type) {
    case 'float':
      return b.readFloatLE(0);
    case 'fixed32':
      return b.readUInt32LE(0);
    case 'sfixed32':
      return b.readInt32LE(0);
    case 'double':
      return b.readDoubleLE(0);
    case 'fixed64':
      return Number(b.readBigUInt64LE(0));
    default:
      return Number(b.readBigInt64LE(0));
  }
}

export class MessageDecoder {
  constructor(private readonly types: TypeTable) {}

  /** One value of `type` from the reader, given the wire type it was sent with. */
  private value(type: string, wire: number, r: ProtoReader, where: string, depth: number): unknown {
    if (varintTypes.has(type)) {
      if (wire !== WireType.varint) throw this.wrongWire(where, type, wire, r);
      return varintValue(type, r.varint64());
    }
    if (fixed32Types.has(type) || fixed64Types.has(type)) {
      const want = fixed32Types.has(type) ? WireType.fixed32 : WireType.fixed64;
      if (wire !== want) throw this.wrongWire(where, type, wire, r);
      return fixedValue(type, want === WireType.fixed32 ? r.fixed32() : r.fixed64());
    }
    if (wire !== WireType.bytes) throw this.wrongWire(where, type, wire, r);
    const { buf, base } = r.bytes();
    if (type === 'string') return buf.toString('utf8');
    // JSON carries []byte as base64, as Go's encoding/json does.
    if (type === 'bytes') return buf.toString('base64');
    return this.message(type, buf, base, depth + 1);
  }

  private wrongWire(where: string, type: string, wire: number, r: ProtoReader): ProtobufDecodeError {
    return new ProtobufDecodeError(`${where}: wire type ${wire} does not fit type ${type} (near offset ${r.offset()})`);
  }

  /** Decodes message `type` from `buf` (which starts at `base` in the whole body). */
  message(type: string, buf: Buffer, base: number, depth = 0): unknown {
    if (depth > maxDepth) throw new ProtobufDecodeError(`message nested more than ${maxDepth} deep at offset ${base}`);
    const special = specialMessages[type];
    if (special) return special(buf, base);
    const spec = this.types[type];
    if (!spec) throw new ProtobufDecodeError(`no field table for message ${type}`);
    const out: Record<string, unknown> = {};
    const r = new ProtoReader(buf, base);
    while (!r.done()) {
      const { field, wire } = r.tag();
      const f = Object.hasOwn(spec, field) ? spec[field] : undefined;
      if (!f) {
        r.skip(wire, field);
        continue;
      }
      const where = `${type.slice(type.lastIndexOf('.') + 1)}.${f[0]}`;
      if (f[2] === 'map') this.mapEntry(f, r, wire, where, depth, out);
      else if (f[2] === 'repeated') this.repeated(f, r, wire, where, depth, out);
      else if (f[2] === 'inline') Object.assign(out, this.value(f[1], wire, r, where, depth));
      else {
        const v = this.value(f[1], wire, r, where, depth);
        if (v === undefined || (f[4]?.includes('o') && (v === '' || v === 0 || v === false))) delete out[f[0]];
        else out[f[0]] = v;
      }
    }
    return plain(out);
  }

  private repeated(f: FieldSpec, r: ProtoReader, wire: number, where: string, depth: number, out: Record<string, unknown>): void {
    const list = (Array.isArray(out[f[0]]) ? out[f[0]] : (out[f[0]] = [])) as unknown[];
    const scalar = varintTypes.has(f[1]) || fixed32Types.has(f[1]) || fixed64Types.has(f[1]);
    if (scalar && wire === WireType.bytes) {
      // Packed encoding: one length-delimited run of values.
      const { buf, base } = r.bytes();
      const inner = new ProtoReader(buf, base);
      const innerWire = varintTypes.has(f[1]) ? WireType.varint : fixed32Types.has(f[1]) ? WireType.fixed32 : WireType.fixed64;
      while (!inner.done()) list.push(this.value(f[1], innerWire, inner, where, depth));
      return;
    }
    list.push(this.value(f[1], wire, r, where, depth));
  }

  private mapEntry(f: FieldSpec, r: ProtoReader, wire: number, where: string, depth: number, out: Record<string, unknown>): void {
    if (wire !== WireType.bytes) throw this.wrongWire(where, 'map entry', wire, r);
    const { buf, base } = r.bytes();
    const valueType = f[3] ?? 'string';
    const e = new ProtoReader(buf, base);
    let key: unknown;
    let value: unknown;
    while (!e.done()) {
      const t = e.tag();
      if (t.field === 1) key = this.value(f[1], t.wire, e, `${where} key`, depth);
      else if (t.field === 2) value = this.value(valueType, t.wire, e, `${where}[${String(key)}]`, depth);
      else e.skip(t.wire, t.field);
    }
    // Absent key/value mean their zero values, as in any proto map entry.
    value ??= zeroOf(valueType, this.types);
    const map = (out[f[0]] ??= Object.create(null) as Record<string, unknown>) as Record<string, unknown>;
    map[String(key ?? (f[1] === 'string' ? '' : 0))] = value;
  }
}

function zeroOf(type: string, types: TypeTable): unknown {
  if (type === 'string' || type === 'bytes') return '';
  if (type === 'bool') return false;
  if (varintTypes.has(type) || fixed32Types.has(type) || fixed64Types.has(type)) return 0;
  return specialMessages[type] ? (type.endsWith('Quantity') ? '0' : undefined) : types[type] ? {} : undefined;
}

/** Maps are built without a prototype (keys like "__proto__" are data); give them a normal one. */
function plain(obj: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(obj)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === null) obj[k] = { ...v };
  }
  return obj;
}
