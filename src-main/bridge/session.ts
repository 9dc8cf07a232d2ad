// One connected renderer (an Electron window, a browser tab): where its own stream messages go,
// and the streams it opened, so they all end when it goes.
import type { BridgeEvent } from './protocol.ts';

/** The main side of one open stream. */
export interface StreamHandle {
  readonly id: number;
  /** Pushes one message to the renderer that opened the stream. */
  push(message: unknown): void;
  /** Ends the stream once; later pushes are dropped. */
  end(error?: string): void;
  readonly ended: boolean;
}

/** What the opener of a stream provides: how to take the renderer's input and how to stop. */
export interface StreamSink {
  /** A message from the renderer (terminal input, a resize, an answer). */
  receive?(message: unknown): void;
  /** The renderer closed the stream or went away: release everything. */
  close(): void;
}

let nextStream = 1;

export class Session {
  readonly #send: (event: BridgeEvent) => void;
  readonly #streams = new Map<number, { handle: StreamHandle; sink: StreamSink | undefined }>();
  #closed = false;

  constructor(send: (event: BridgeEvent) => void) {
    this.#send = send;
  }

  /**
   * Opens a stream: `start` gets the handle to push through and returns how to feed and stop it.
   * If `start` throws, the stream never existed.
   */
  async openStream(start: (handle: StreamHandle) => StreamSink | Promise<StreamSink>): Promise<{ stream: number }> {
    if (this.#closed) throw new Error('the connection is closed');
    const id = nextStream++;
    const entry: { handle: StreamHandle; sink: StreamSink | undefined } = { handle: undefined!, sink: undefined };
    let ended = false;
    const handle: StreamHandle = {
      id,
      push: (message) => {
        if (!ended && !this.#closed) this.#send({ type: 'stream', stream: id, message });
      },
      end: (error) => {
        if (ended) return;
        ended = true;
        this.#streams.delete(id);
        if (!this.#closed) this.#send({ type: 'stream-end', stream: id, ...(error ? { error } : {}) });
        entry.sink?.close();
      },
      get ended() {
        return ended;
      },
    };
    entry.handle = handle;
    this.#streams.set(id, entry);
    try {
      entry.sink = await start(handle);
    } catch (err) {
      this.#streams.delete(id);
      ended = true;
      throw err;
    }
    // Ended while starting (the process exited at once): release what start made.
    if (ended || this.#closed) entry.sink.close();
    return { stream: id };
  }

  /** A message from the renderer to one of its streams; unknown ids are ignored (it just ended). */
  sendToStream(id: number, message: unknown): void {
    this.#streams.get(id)?.sink?.receive?.(message);
  }

  closeStream(id: number): void {
    this.#streams.get(id)?.handle.end();
  }

  get streamCount(): number {
    return this.#streams.size;
  }

  /** The renderer went away: every stream it opened ends. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const { handle } of [...this.#streams.values()]) handle.end();
    this.#streams.clear();
  }
}
