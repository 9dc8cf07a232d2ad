// Kubernetes' channel framing over one WebSocket (channel.k8s.io and its v4/v5 versions, and the
// base64 variants for clients that cannot send binary): every message starts with its channel
// number, a byte (or an ASCII digit before base64 text). v5 adds channel 255, whose message
// [255, N] half-closes channel N (stdin's end, which v4 cannot say).
import { EventEmitter } from 'node:events';
import { Duplex, Readable, Writable } from 'node:stream';
import type { WebSocket } from 'ws';

export const CLOSE_CHANNEL = 255;

export interface WsChannels {
  on(event: 'message', listener: (channel: number, data: Buffer) => void): this;
  on(event: 'close', listener: () => void): this;
}

export class WsChannels extends EventEmitter {
  readonly base64: boolean;
  readonly v5: boolean;
  private readonly inputs = new Map<number, Readable>();
  private readonly ended = new Set<number>();
  private closed = false;

  constructor(private readonly ws: WebSocket, readonly protocol: string) {
    super();
    this.base64 = protocol.includes('base64');
    this.v5 = protocol.startsWith('v5.');
    ws.on('message', (data: Buffer, isBinary: boolean) => this.receive(data, isBinary));
    ws.on('close', () => this.teardown());
    ws.on('error', () => this.teardown());
  }

  /** Sends one message; `sent` runs once it is written (or could not be). */
  send(channel: number, data: Buffer, sent?: () => void): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return void sent?.();
    const message = this.base64 ? String.fromCharCode(48 + channel) + data.toString('base64') : Buffer.concat([Buffer.from([channel]), data]);
    this.ws.send(message, () => sent?.());
  }

  /** Messages from the client on `channel` as a stream; ends at a v5 close or the socket's end. */
  input(channel: number): Readable {
    let r = this.inputs.get(channel);
    if (!r) {
      r = new Readable({ read() { /* pushed as messages arrive */ } });
      this.inputs.set(channel, r);
    }
    return r;
  }

  /** A writable whose chunks go to the client on `channel`. */
  output(channel: number): Writable {
    return new Writable({
      // Done once written: the socket's backpressure reaches the writer.
      write: (chunk: Buffer, _enc, cb) => this.send(channel, chunk, () => cb()),
    });
  }

  /** Both ways on one channel (a forwarded port's data). */
  duplex(channel: number): Duplex {
    return Duplex.from({ readable: this.input(channel), writable: this.output(channel) });
  }

  /** A normal closure (1000) once what was sent is flushed. */
  close(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
    this.teardown();
  }

  private receive(data: Buffer, isBinary: boolean): void {
    let channel: number;
    let payload: Buffer;
    if (this.base64 && !isBinary) {
      const text = data.toString('latin1');
      channel = text.charCodeAt(0) - 48;
      payload = Buffer.from(text.slice(1), 'base64');
    } else {
      if (data.length === 0) return;
      channel = data[0]!;
      payload = data.subarray(1);
    }
    if (this.v5 && channel === CLOSE_CHANNEL) {
      if (payload.length > 0) this.endInput(payload[0]!);
      return;
    }
    if (!this.ended.has(channel)) this.inputs.get(channel)?.push(payload);
    this.emit('message', channel, payload);
  }

  private endInput(channel: number): void {
    if (this.ended.has(channel)) return;
    this.ended.add(channel);
    this.inputs.get(channel)?.push(null);
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const channel of this.inputs.keys()) this.endInput(channel);
    this.emit('close');
  }
}
