// The lines a log view holds: the newest `capacity` kept (older ones dropped and counted, so the
// view can say so), kept in time order when lines carry times (the pods of a workload write
// concurrently and their batches interleave), and searched case-insensitively.
export interface LogLine {
  /** UTC RFC 3339 with nine fraction digits (normalTime); '' when unknown. */
  time: string;
  text: string;
  /** For merged logs: the pod and container, and the pod's colour (0..7). */
  pod?: string;
  container?: string;
  colour?: number;
}

export const DEFAULT_CAPACITY = 20_000;

const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/;

/**
 * A UTC RFC 3339 time with its fraction padded to nine digits, so that times compare as strings
 * (the kubelet trims trailing zeros, as Go's RFC3339Nano does); '' when it is not one.
 */
export function normalTime(time: string): string {
  const m = STAMP.exec(time);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z` : '';
}

/** Splits `2026-01-02T03:04:05.123456789Z text` (timestamps=true) into its time and text. */
export function parseStamped(line: string): LogLine {
  const space = line.indexOf(' ');
  const time = space > 0 ? normalTime(line.slice(0, space)) : '';
  return time ? { time, text: line.slice(space + 1) } : { time: '', text: line };
}

export class LogBuffer {
  readonly capacity: number;
  #lines: LogLine[] = [];
  /** Lines dropped from the front since the buffer was made or cleared. */
  dropped = 0;
  /** Bumped on every change: a cheap way for a view to know it must redraw. */
  version = 0;
  readonly #lower = new WeakMap<LogLine, string>();

  constructor(capacity = DEFAULT_CAPACITY) {
    this.capacity = capacity;
  }

  get lines(): readonly LogLine[] {
    return this.#lines;
  }

  get length(): number {
    return this.#lines.length;
  }

  /**
   * Adds lines. With `ordered`, each goes to its place by time (lines of equal time keep their
   * arrival order); otherwise at the end. Returns how many lines were dropped from the front.
   */
  append(lines: readonly LogLine[], ordered = false): number {
    if (lines.length === 0) return 0;
    if (!ordered) for (const l of lines) this.#lines.push(l);
    else for (const l of lines) this.#insertByTime(l);
    const excess = this.#lines.length - this.capacity;
    if (excess > 0) {
      this.#lines.splice(0, excess);
      this.dropped += excess;
    }
    this.version++;
    return Math.max(0, excess);
  }

  clear(): void {
    this.#lines = [];
    this.dropped = 0;
    this.version++;
  }

  /**
   * Indexes of the lines whose text (or pod/container prefix) contains query, ignoring case: of
   * the buffer's lines, or of a selection of them (what a view shows).
   */
  matches(query: string, lines: readonly LogLine[] = this.#lines): number[] {
    const q = query.toLowerCase();
    if (!q) return [];
    const out: number[] = [];
    for (let i = 0; i < lines.length; i++) if (this.lowerText(lines[i]!).includes(q)) out.push(i);
    return out;
  }

  /** The line's searchable text in lower case, computed once per line. */
  lowerText(line: LogLine): string {
    let lower = this.#lower.get(line);
    if (lower === undefined) this.#lower.set(line, (lower = (line.pod ? `${line.pod}/${line.container} ${line.text}` : line.text).toLowerCase()));
    return lower;
  }

  /** The buffer as a file's text: one line each, with the time and pod when asked. */
  toText(opts: { timestamps?: boolean } = {}): string {
    return this.#lines.map((l) => `${opts.timestamps && l.time ? `${l.time} ` : ''}${l.pod ? `${l.pod}/${l.container} ` : ''}${l.text}\n`).join('');
  }

  #insertByTime(line: LogLine): void {
    const lines = this.#lines;
    // Almost always the newest: append without searching.
    if (!line.time || lines.length === 0 || lines[lines.length - 1]!.time <= line.time) {
      lines.push(line);
      return;
    }
    // After the last line with a time <= this one's (normalised times sort as strings).
    let lo = 0;
    let hi = lines.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lines[mid]!.time <= line.time) lo = mid + 1;
      else hi = mid;
    }
    lines.splice(lo, 0, line);
  }
}
