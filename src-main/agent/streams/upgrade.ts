// The upgrade of an exec, attach or port-forward request to a stream protocol, as the kubelet
// does it: a WebSocket with one of the subprotocols the handler speaks, or SPDY/3.1 with an
// X-Stream-Protocol-Version the client offers. A refusal is a plain-text HTTP error.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer, type WebSocket } from 'ws';
import { SpdyConnection } from './spdy-connection.ts';

export type Upgraded =
  | { kind: 'websocket'; protocol: string; ws: WebSocket }
  | { kind: 'spdy'; protocol: string; conn: SpdyConnection };

export interface Protocols {
  /** WebSocket subprotocols, in the server's order of preference. */
  websocket: string[];
  /** X-Stream-Protocol-Version values for SPDY, likewise. */
  spdy: string[];
  /** A WebSocket subprotocol that tunnels SPDY (kubectl ≥ 1.31's port-forward). */
  spdyTunnel?: string;
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

export function refuse(socket: Duplex, code: number, reason: string, message: string): void {
  const body = Buffer.from(`${message}\n`);
  socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
}

const offered = (v: string | string[] | undefined): string[] => (Array.isArray(v) ? v : [v ?? '']).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);

/** Upgrades, or answers with an error and resolves undefined. */
export function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, protocols: Protocols): Promise<Upgraded | undefined> {
  const kind = (req.headers.upgrade ?? '').toLowerCase();
  if (kind === 'websocket') {
    const client = offered(req.headers['sec-websocket-protocol']);
    const all = [...(protocols.spdyTunnel ? [protocols.spdyTunnel] : []), ...protocols.websocket];
    const chosen = all.find((p) => client.includes(p));
    if (!chosen) {
      refuse(socket, 400, 'Bad Request', `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(client)}, server supports ${JSON.stringify(all)}`);
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => {
      // A handshake ws refuses (it answers the 400) never calls back; the socket's close ends it.
      socket.once('close', () => resolve(undefined));
      wss.handleUpgrade(req, socket, head, (ws) => {
        if (chosen === protocols.spdyTunnel) {
          const tunnel = createWebSocketStream(ws);
          tunnel.on('error', () => undefined);
          resolve({ kind: 'spdy', protocol: protocols.spdy[0]!, conn: new SpdyConnection(tunnel) });
        } else {
          resolve({ kind: 'websocket', protocol: chosen, ws });
        }
      });
    });
  }
  if (kind === 'spdy/3.1') {
    const client = offered(req.headers['x-stream-protocol-version']);
    const chosen = client.find((p) => protocols.spdy.includes(p));
    if (!chosen) {
      refuse(socket, 403, 'Forbidden', `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(client)}, server accepts ${JSON.stringify(protocols.spdy)}`);
      return Promise.resolve(undefined);
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${chosen}\r\n\r\n`);
    return Promise.resolve({ kind: 'spdy', protocol: chosen, conn: new SpdyConnection(socket, head) });
  }
  refuse(socket, 400, 'Bad Request', 'unable to upgrade: missing upgrade headers in request');
  return Promise.resolve(undefined);
}
