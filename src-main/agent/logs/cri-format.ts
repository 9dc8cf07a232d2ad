// The CRI log format the kubelet reads (and containerd writes): one entry a line,
// `<RFC 3339 time with 9 digits> <stdout|stderr> <F|P> <content>\n`, F for a whole line and P for
// a piece of one (lines longer than 16 KiB are cut; the last piece is the F). Times come from one
// wall-clock reading kept going by the monotonic clock, so entries never go back in time.
export type LogStream = 'stdout' | 'stderr';

export interface LogEntry {
  /** Nanoseconds since the epoch. */
  ns: bigint;
  /** The time as written (9 fraction digits). */
  time: string;
  stream: LogStream;
  partial: boolean;
  content: Buffer;
}

/** containerd's cut: a line longer than this is written in pieces. */
export const MAX_LINE_BYTES = 16 * 1024;

const anchorNs = BigInt(Date.now()) * 1_000_000n;
const anchorHr = process.hrtime.bigint();

export function nowNs(): bigint {
  return anchorNs + (process.hrtime.bigint() - anchorHr);
}

/** `2016-10-06T00:17:09.669794202Z`: the file's form, always nine digits. */
export function criTime(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${fraction}Z`;
}

/** Go's RFC3339Nano, as the kubelet prints --timestamps: trailing zeros of the fraction dropped. */
export function rfc3339Nano(ns: bigint): string {
  const full = criTime(ns);
  const fraction = full.slice(20, 29).replace(/0+$/, '');
  return `${full.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

export function formatEntry(ns: bigint, stream: LogStream, partial: boolean, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${criTime(ns)} ${stream} ${partial ? 'P' : 'F'} `), content, Buffer.from('\n')]);
}

/** One line of a CRI log file (without its newline); undefined when it is not one. */
export function parseEntry(line: Buffer): LogEntry | undefined {
  const s1 = line.indexOf(0x20);
  const s2 = s1 < 0 ? -1 : line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const time = line.subarray(0, s1).toString('latin1');
  const stream = line.subarray(s1 + 1, s2).toString('latin1');
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const ns = parseTime(time);
  if (ns === undefined) return undefined;
  // The tag is F or P (later tags may add ':…'); a line without one is an old whole line.
  const s3 = line.indexOf(0x20, s2 + 1);
  const tag = s3 < 0 ? '' : line.subarray(s2 + 1, s3).toString('latin1');
  const tagged = /^[FP](:|$)/.test(tag);
  return { ns, time, stream, partial: tagged && tag.startsWith('P'), content: line.subarray(tagged ? s3 + 1 : s2 + 1) };
}

/** Nanoseconds of an RFC 3339 time with any number of fraction digits. */
export function parseTime(text: string): bigint | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  return BigInt(seconds) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}
