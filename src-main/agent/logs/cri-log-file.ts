// The writer of one container's CRI log file: entries appended in the order they come (stdout
// and stderr share the file), the file rotated once it reaches the policy's size. Writes are
// synchronous appends to an open descriptor: a few microseconds each, and nothing is reordered.
import { closeSync, fstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatEntry, MAX_LINE_BYTES, nowNs, type LogStream } from './cri-format.ts';
import { rotate, type RotationPolicy } from './log-rotation.ts';

export class CriLogFile {
  private fd?: number;
  private size = 0;
  private closed = false;
  /** The last write error, if any: a full disk loses entries (as containerd's would), not the agent. */
  failed?: Error;

  constructor(readonly path: string, private readonly policy: RotationPolicy) {
    mkdirSync(dirname(path), { recursive: true });
    this.open();
  }

  write(stream: LogStream, partial: boolean, content: Buffer, ns = nowNs()): void {
    if (this.closed) return;
    try {
      // After a failed rotation the file is opened again here, at the next entry.
      if (this.fd === undefined) this.open();
      const entry = formatEntry(ns, stream, partial, content);
      writeSync(this.fd!, entry);
      this.size += entry.length;
      if (this.size >= this.policy.maxSize) {
        closeSync(this.fd!);
        this.fd = undefined;
        rotate(this.path, this.policy);
        this.open();
      }
    } catch (e) {
      this.failed = e as Error;
    }
  }

  close(): void {
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): void {
    this.fd = openSync(this.path, 'a', 0o640);
    this.size = fstatSync(this.fd).size;
  }
}

/**
 * Cuts one stream's bytes into CRI entries: whole lines as F, and pieces of MAX_LINE_BYTES as P
 * while a line is longer. The tail of a line waits for its newline; flush() writes it as F (the
 * stream ended, or the agent stops).
 */
export class LineSplitter {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly stream: LogStream, private readonly out: CriLogFile) {}

  push(chunk: Buffer): void {
    const ns = nowNs();
    let data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    for (;;) {
      const nl = data.indexOf(0x0a);
      if (nl >= 0 && nl <= MAX_LINE_BYTES) {
        this.out.write(this.stream, false, data.subarray(0, nl), ns);
        data = data.subarray(nl + 1);
      } else if (data.length > MAX_LINE_BYTES) {
        this.out.write(this.stream, true, data.subarray(0, MAX_LINE_BYTES), ns);
        data = data.subarray(MAX_LINE_BYTES);
      } else break;
    }
    this.pending = Buffer.from(data);
  }

  flush(): void {
    if (this.pending.length) this.out.write(this.stream, false, this.pending);
    this.pending = Buffer.alloc(0);
  }
}
