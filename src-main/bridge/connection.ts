// The bridge over a message stream (a WebSocket in browser mode, an in-memory pair in tests):
// client messages in, server messages out, one subscription per connection.
import type { BridgeHub, Subscription } from './hub.ts';
import type { ServerMessage } from './protocol.ts';
import { toBridgeError } from './service-error.ts';
import { Session } from './session.ts';

export interface Connection {
  /** Feeds one decoded client message; anything malformed is answered or ignored, never thrown. */
  receive(message: unknown): void;
  /** The peer went away: stop streaming to it. */
  close(): void;
}

export function serveConnection(hub: BridgeHub, send: (message: ServerMessage) => void): Connection {
  let subscription: Subscription | undefined;
  let closed = false;
  const reply = (message: ServerMessage): void => {
    if (!closed) send(message);
  };
  const session = new Session((event) => reply({ type: 'event', event }));
  return {
    receive(message) {
      if (closed || !message || typeof message !== 'object') return;
      const msg = message as { type?: unknown; id?: unknown; method?: unknown; params?: unknown };
      if (msg.type === 'subscribe') {
        // A second subscribe (the client reconnected its state) starts over with fresh snapshots.
        subscription?.close();
        subscription = hub.subscribe({ send: (event) => reply({ type: 'event', event }) });
      } else if (msg.type === 'request' && typeof msg.id === 'number') {
        const id = msg.id;
        hub.invoke(msg.method, msg.params, session).then(
          (result) => reply({ type: 'response', id, ok: true, result: result ?? null }),
          (err: unknown) => reply({ type: 'response', id, ok: false, error: toBridgeError(err) }),
        );
      }
    },
    close() {
      closed = true;
      subscription?.close();
      session.close();
    },
  };
}
