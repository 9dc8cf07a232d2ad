// A way for non-API parts (the browser UI, its WebSocket) to share the API server's port.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface HttpExtension {
  /** Handles a request the API does not own; true if it did. */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** Handles an HTTP upgrade (WebSocket); true if it did. */
  handleUpgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}
