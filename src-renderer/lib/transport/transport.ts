// The one interface the renderer talks to the main side through. The app gets it over Electron
// IPC, the browser over a WebSocket, tests over an in-memory pair; nothing above this file knows
// which.
import type { BridgeEvent, ClientMessage, MethodName, ParamsOf, ResultOf, ServerMessage } from '../../../src-main/bridge/protocol.ts';

export interface Transport {
  /** One typed call; rejects with a TransportError carrying the server's message. */
  invoke<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  /** Starts the event stream (a snapshot per kind, then deltas); returns the unsubscribe. */
  subscribe(listener: (event: BridgeEvent) => void): () => void;
  close(): void;
}

/** What Electron's preload exposes on window.kubelab: one invoke, one subscribe. */
export interface PreloadApi {
  invoke(method: string, params: unknown): Promise<unknown>;
  subscribe(listener: (event: unknown) => void): () => void;
}

/** A message stream to the main side (a WebSocket, or the in-memory pair). */
export interface WireConnection {
  send(message: ClientMessage): void;
  close(): void;
}

export interface WireHandlers {
  open(): void;
  message(message: ServerMessage): void;
  /** The connection ended; code 4401 means the token was refused. */
  close(code?: number): void;
}

export type Connect = (handlers: WireHandlers) => WireConnection;

export class TransportError extends Error {
  readonly code: number | undefined;
  constructor(message: string, code?: number) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
  }
}
