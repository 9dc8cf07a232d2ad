// The renderer's side of streams (see StreamEvent in src-main/bridge/protocol.ts): a call opens
// one, its messages are routed here by id, and the handle writes to it or closes it.
import type { MethodName, ParamsOf, ResultOf, StreamEvent, StreamOpened } from '../../src-main/bridge/protocol.ts';
import type { Transport } from './transport/transport.ts';

export interface StreamCallbacks<T> {
  message(message: T): void;
  /** The stream ended: normally (no error), with the main side's error, or the connection was lost. */
  end(error?: string): void;
}

export interface OpenStream {
  readonly id: number;
  send(message: unknown): void;
  close(): void;
}

/** Methods whose result is a StreamOpened. */
type StreamMethod = { [M in MethodName]: ResultOf<M> extends StreamOpened ? M : never }[MethodName];

export class Streams {
  readonly #transport: Transport;
  readonly #open = new Map<number, StreamCallbacks<unknown>>();
  // Messages that arrive before the opening call's answer (the main side may push at once).
  readonly #early = new Map<number, StreamEvent[]>();

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  async open<T>(method: StreamMethod, params: ParamsOf<typeof method>, callbacks: StreamCallbacks<T>): Promise<OpenStream> {
    const { stream } = (await this.#transport.invoke(method, params as never)) as unknown as StreamOpened;
    this.#open.set(stream, callbacks as StreamCallbacks<unknown>);
    for (const event of this.#early.get(stream) ?? []) this.handle(event);
    this.#early.delete(stream);
    return {
      id: stream,
      send: (message) => {
        if (this.#open.has(stream)) void this.#transport.invoke('streamSend', { stream, message }).catch(() => {});
      },
      close: () => {
        if (!this.#open.delete(stream)) return;
        void this.#transport.invoke('streamClose', { stream }).catch(() => {});
      },
    };
  }

  handle(event: StreamEvent): void {
    const callbacks = this.#open.get(event.stream);
    if (!callbacks) {
      // Keep a few early messages; a stream nobody claims is dropped with the next reconnect.
      const list = this.#early.get(event.stream) ?? [];
      if (list.length < 1000) list.push(event);
      this.#early.set(event.stream, list);
      return;
    }
    if (event.type === 'stream') callbacks.message(event.message);
    else {
      this.#open.delete(event.stream);
      callbacks.end(event.error);
    }
  }

  /** The connection dropped: the main side ended every stream of this connection. */
  lost(): void {
    const open = [...this.#open.values()];
    this.#open.clear();
    this.#early.clear();
    for (const callbacks of open) callbacks.end('the connection to Kubelab was lost');
  }

  closeAll(): void {
    for (const id of [...this.#open.keys()]) void this.#transport.invoke('streamClose', { stream: id }).catch(() => {});
    this.#open.clear();
  }
}
