// An in-memory stand-in for the WebSocket: both directions go through JSON and arrive on a later
// tick, as on a real wire, so tests exercise the same framing without a socket or Electron.
import { serveConnection } from './connection.ts';
import type { BridgeHub } from './hub.ts';
import type { ClientMessage, ServerMessage } from './protocol.ts';

/** The client end, shaped like the renderer's WireConnection. */
export interface MemoryClientEnd {
  send(message: ClientMessage): void;
  close(): void;
}

export interface MemoryClientHandlers {
  open(): void;
  message(message: ServerMessage): void;
  close(code?: number): void;
}

/** Connects a client end to the hub; pass it to the renderer's createWireTransport. */
export function connectInMemory(hub: BridgeHub, handlers: MemoryClientHandlers): MemoryClientEnd {
  let open = true;
  const later = (fn: () => void): void => void setTimeout(() => open && fn(), 0);
  const server = serveConnection(hub, (message) => {
    const wire = JSON.stringify(message);
    later(() => handlers.message(JSON.parse(wire) as ServerMessage));
  });
  later(() => handlers.open());
  return {
    send(message) {
      const wire = JSON.stringify(message);
      later(() => server.receive(JSON.parse(wire)));
    },
    close() {
      if (!open) return;
      server.close();
      setTimeout(() => handlers.close(1000), 0);
      open = false;
    },
  };
}
