// Messages whose JSON form is not an object of their fields: times, quantities, int-or-string,
// raw JSON, durations and string lists. Each reads its few fields straight off the wire.
import { ProtobufDecodeError } from './errors.ts';
import { ProtoReader, WireType, toInt32, toInt64, type Varint64 } from './reader.ts';

type Fields = Map<number, Varint64 | Buffer>;

/** Last value of each field (protobuf's rule for repeated scalars sent to a singular field). */
function scan(buf: Buffer, base: number, repeated?: number): { last: Fields; list: Buffer[] } {
  const r = new ProtoReader(buf, base);
  const last: Fields = new Map();
  const list: Buffer[] = [];
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (wire === WireType.varint) last.set(field, r.varint64());
    else if (wire === WireType.bytes) {
      const b = r.bytes().buf;
      if (field === repeated) list.push(b);
      else last.set(field, b);
    } else r.skip(wire, field);
  }
  return { last, list };
}

function num(v: Varint64 | Buffer | undefined, bits: 32 | 64): number {
  if (v === undefined) return 0;
  if (Buffer.isBuffer(v)) throw new ProtobufDecodeError('expected a number, got bytes');
  return bits === 32 ? toInt32(v) : toInt64(v);
}

function str(v: Varint64 | Buffer | undefined): string {
  if (v === undefined) return '';
  if (!Buffer.isBuffer(v)) throw new ProtobufDecodeError('expected a string, got a number');
  return v.toString('utf8');
}

/** Go's zero time.Time (0001-01-01T00:00:00Z) in Unix seconds: metav1 treats it as unset. */
const zeroTimeSeconds = -62135596800;

/** meta/v1 Time or MicroTime -> RFC 3339 in UTC; undefined for the zero time (JSON's null). */
function time(buf: Buffer, base: number, micro: boolean): string | undefined {
  // An empty message is how Go writes the zero time.
  if (buf.length === 0) return undefined;
  const { last } = scan(buf, base);
  const seconds = num(last.get(1), 64);
  const nanos = num(last.get(2), 32);
  if (seconds === zeroTimeSeconds && nanos === 0) return undefined;
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime()) || nanos < 0 || nanos > 999_999_999) throw new ProtobufDecodeError(`time out of range: ${seconds}s ${nanos}ns`);
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  const head = iso.slice(0, 19);
  return micro ? `${head}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${head}Z`;
}

/** Go's time.Duration.String(), which is what metav1.Duration marshals to in JSON. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let n = Math.abs(ns);
  if (n < 1e3) return `${sign}${n}ns`;
  if (n < 1e6) return `${sign}${trim(n / 1e3)}µs`;
  if (n < 1e9) return `${sign}${trim(n / 1e6)}ms`;
  let out = '';
  const h = Math.floor(n / 3.6e12);
  n -= h * 3.6e12;
  const m = Math.floor(n / 6e10);
  n -= m * 6e10;
  if (h) out += `${h}h`;
  if (h || m) out += `${m}m`;
  return `${sign}${out}${trim(n / 1e9)}s`;
}

function trim(x: number): string {
  return String(Number(x.toFixed(9)));
}

function json(buf: Buffer, what: string): unknown {
  if (buf.length === 0) return undefined;
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw new ProtobufDecodeError(`${what} does not hold valid JSON: ${(e as Error).message}`);
  }
}

const meta = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** Decoders for the special messages, by full name; `undefined` means "leave the field out". */
export const specialMessages: Record<string, (buf: Buffer, base: number) => unknown> = {
  [`${meta}.Time`]: (b, o) => time(b, o, false),
  [`${meta}.MicroTime`]: (b, o) => time(b, o, true),
  [`${meta}.Duration`]: (b, o) => goDuration(num(scan(b, o).last.get(1), 64)),
  [`${meta}.FieldsV1`]: (b, o) => json((scan(b, o).last.get(1) as Buffer | undefined) ?? Buffer.alloc(0), 'FieldsV1'),
  [`${meta}.Verbs`]: (b, o) => scan(b, o, 1).list.map((x) => x.toString('utf8')),
  'k8s.io.api.authentication.v1.ExtraValue': (b, o) => scan(b, o, 1).list.map((x) => x.toString('utf8')),
  'k8s.io.api.authorization.v1.ExtraValue': (b, o) => scan(b, o, 1).list.map((x) => x.toString('utf8')),
  'k8s.io.api.certificates.v1.ExtraValue': (b, o) => scan(b, o, 1).list.map((x) => x.toString('utf8')),
  'k8s.io.apimachinery.pkg.api.resource.Quantity': (b, o) => str(scan(b, o).last.get(1)),
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': (b, o) => {
    const { last } = scan(b, o);
    return num(last.get(1), 64) === 1 ? str(last.get(3)) : num(last.get(2), 32);
  },
  'k8s.io.apimachinery.pkg.runtime.RawExtension': (b, o) => json((scan(b, o).last.get(1) as Buffer | undefined) ?? Buffer.alloc(0), 'RawExtension'),
};
