// The typed boundary between the main side (cluster caches, writes, streams) and the renderer.
// Everything that crosses it is plain JSON, so the same messages travel over Electron IPC, a
// WebSocket or an in-memory pair in tests. The renderer imports only types from here (and the
// constants below).
import type { KindMap, KindName } from './api/kinds.ts';
import type { ServiceMethods } from './api/methods.ts';

export type { KindMap, KindName } from './api/kinds.ts';
export { KIND_NAMES } from './api/kinds.ts';
export type { ServiceMethods } from './api/methods.ts';

/** One coalesced change: the object's latest state, or its removal. */
export type Change = {
  [K in KindName]:
    | { kind: K; op: 'upsert'; object: KindMap[K] }
    | { kind: K; op: 'delete'; key: string };
}[KindName];

export type Snapshot = { [K in KindName]: { type: 'snapshot'; kind: K; objects: KindMap[K][] } }[KindName];

/**
 * What the main side pushes. A snapshot replaces everything the renderer holds for its kind (sent
 * on subscribe, after a reconnect and when the cluster changes); deltas then apply in order.
 * Stream messages go only to the connection that opened the stream.
 */
export type BridgeEvent =
  | Snapshot
  | { type: 'delta'; changes: Change[] }
  | { type: 'status'; state: ConnectionState; message?: string; cluster?: ClusterInfo }
  | StreamEvent;

export type ConnectionState = 'connecting' | 'ready' | 'error' | 'disconnected' | 'unauthorized';

/** Which cluster the caches follow: the built-in control plane or a kubeconfig context. */
export interface ClusterInfo {
  /** 'builtin' or the kubeconfig context's name. */
  context: string;
  server: string;
}

/**
 * A stream is a long-lived exchange opened by a call (a terminal, a log follow, a node join): the
 * opening call returns its id, the main side then pushes `stream` messages, and ends it once with
 * `stream-end` (an error if it failed). The renderer writes to it with `streamSend` and stops it
 * with `streamClose`; it also ends when its connection goes.
 */
export type StreamEvent =
  | { type: 'stream'; stream: number; message: unknown }
  | { type: 'stream-end'; stream: number; error?: string };

/** What a call that opens a stream returns. */
export interface StreamOpened {
  stream: number;
}

export type MethodName = keyof ServiceMethods;
export type ParamsOf<M extends MethodName> = ServiceMethods[M]['params'];
export type ResultOf<M extends MethodName> = ServiceMethods[M]['result'];

/** A failed call, as the renderer sees it: a message a person can read, and the HTTP code if any. */
export interface BridgeError {
  message: string;
  code?: number;
  /** A 422's field causes, as the API server sent them. */
  causes?: { field?: string; message?: string; reason?: string }[];
}

// Message framing for byte-stream transports (WebSocket, in-memory pair). IPC has its own
// request/response, so it only carries BridgeEvent and (method, params).
export type ClientMessage =
  | { type: 'subscribe' }
  | { type: 'request'; id: number; method: string; params: unknown };

export type ServerMessage =
  | { type: 'event'; event: BridgeEvent }
  | { type: 'response'; id: number; ok: true; result: unknown }
  | { type: 'response'; id: number; ok: false; error: BridgeError };

/** Electron IPC channel names (one invoke, one subscribe, one event stream). */
export const IPC_INVOKE = 'kubelab:invoke';
export const IPC_SUBSCRIBE = 'kubelab:subscribe';
export const IPC_EVENT = 'kubelab:event';

/** The WebSocket path in browser mode, and the subprotocols it speaks. */
export const WS_PATH = '/kubelab/ws';
export const WS_PROTOCOL = 'kubelab.v1';
/** The token travels as a subprotocol (browsers cannot set headers on a WebSocket), as the
 * Kubernetes API server accepts it: base64url, unpadded, after this prefix. */
export const WS_TOKEN_PREFIX = 'base64url.bearer.authorization.k8s.io.';
/** Close code for a WebSocket whose token was refused (4000-4999 are the application's). */
export const WS_CLOSE_UNAUTHORIZED = 4401;

/** The cache key of an object: "namespace/name" or just "name" for cluster-scoped kinds. */
export function objectKey(obj: { metadata?: { namespace?: string; name?: string } }): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}
