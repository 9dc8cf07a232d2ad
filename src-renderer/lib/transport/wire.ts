// A Transport over a message stream: numbered requests matched to responses, one subscription
// that is renewed after every reconnect (the server then sends fresh snapshots, so nothing missed
// while offline survives), and a synthetic 'disconnected' status while the stream is down.
import { WS_CLOSE_UNAUTHORIZED, type BridgeEvent, type ServerMessage } from '../../../src-main/bridge/protocol.ts';
import { TransportError, type Connect, type Transport, type WireConnection } from './transport.ts';

export interface WireTransportOptions {
  /** First reconnect delay; doubles up to maxReconnectMs. */
  reconnectMs?: number;
  maxReconnectMs?: number;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

export function createWireTransport(connect: Connect, options: WireTransportOptions = {}): Transport {
  const firstDelay = options.reconnectMs ?? 500;
  const maxDelay = options.maxReconnectMs ?? 10_000;
  const listeners = new Set<(event: BridgeEvent) => void>();
  const pending = new Map<number, Pending>();
  const outbox: string[] = [];
  let nextId = 1;
  let conn: WireConnection | undefined;
  let open = false;
  let closed = false;
  let delay = firstDelay;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const emit = (event: BridgeEvent): void => {
    for (const listener of listeners) listener(event);
  };

  const onMessage = (message: ServerMessage): void => {
    if (message.type === 'event') emit(message.event);
    else if (message.type === 'response') {
      const call = pending.get(message.id);
      if (!call) return;
      pending.delete(message.id);
      if (message.ok) call.resolve(message.result);
      else call.reject(new TransportError(message.error.message, message.error.code));
    }
  };

  const start = (): void => {
    conn = connect({
      open() {
        open = true;
        delay = firstDelay;
        if (listeners.size > 0) conn?.send({ type: 'subscribe' });
        for (const raw of outbox.splice(0)) conn?.send(JSON.parse(raw));
      },
      message: onMessage,
      close(code) {
        open = false;
        conn = undefined;
        // Calls in flight are lost with the connection; say so rather than hang.
        for (const call of pending.values()) call.reject(new TransportError('the connection to Kubelab was lost'));
        pending.clear();
        if (closed) return;
        if (code === WS_CLOSE_UNAUTHORIZED) {
          emit({ type: 'status', state: 'unauthorized', message: 'this page needs a valid access token' });
          return;
        }
        emit({ type: 'status', state: 'disconnected', message: 'reconnecting…' });
        timer = setTimeout(start, delay);
        delay = Math.min(delay * 2, maxDelay);
      },
    });
  };

  const send = (message: Parameters<WireConnection['send']>[0]): void => {
    if (open && conn) conn.send(message);
    else outbox.push(JSON.stringify(message));
  };

  start();
  return {
    invoke(method, params) {
      if (closed) return Promise.reject(new TransportError('the transport is closed'));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        send({ type: 'request', id, method, params });
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1 && open) send({ type: 'subscribe' });
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      conn?.close();
    },
  };
}
