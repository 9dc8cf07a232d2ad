// The browser's end of the bridge: a WebSocket at /kubelab/ws on the API server's port. Browsers
// cannot put an Authorization header on a WebSocket, so the token comes as a subprotocol, the way
// kube-apiserver accepts it. A client without the right token gets the handshake and an
// immediate close with code 4401, so the page can tell "wrong token" from "server down"; it never
// reaches the hub.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { serveConnection } from './connection.ts';
import type { BridgeHub } from './hub.ts';
import { WS_CLOSE_UNAUTHORIZED, WS_PATH, WS_PROTOCOL, WS_TOKEN_PREFIX } from './protocol.ts';

/** Largest client message accepted; calls are small, snapshots only flow the other way. */
const MAX_CLIENT_MESSAGE = 64 * 1024;

export interface WsEndpoint {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): Promise<void>;
}

export function createWsEndpoint(opts: { token: string; hub: () => Promise<BridgeHub> }): WsEndpoint {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_CLIENT_MESSAGE,
    handleProtocols: (offered) => (offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  const expected = Buffer.from(opts.token);

  const accept = (ws: WebSocket, authorized: boolean): void => {
    if (!authorized) {
      ws.close(WS_CLOSE_UNAUTHORIZED, 'a valid token is required');
      return;
    }
    let connection: ReturnType<typeof serveConnection> | undefined;
    const queued: unknown[] = [];
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let message: unknown;
      try {
        message = JSON.parse(String(data));
      } catch {
        return;
      }
      if (connection) connection.receive(message);
      else queued.push(message);
    });
    ws.on('close', () => connection?.close());
    ws.on('error', () => ws.terminate());
    opts.hub().then((hub) => {
      if (ws.readyState !== ws.OPEN) return;
      connection = serveConnection(hub, (message) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      });
      for (const message of queued.splice(0)) connection.receive(message);
    }, () => ws.close(1011, 'the cluster bridge failed to start'));
  };

  return {
    handleUpgrade(req, socket, head) {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path !== WS_PATH) return false;
      // Another site's page must not drive the UI even if it guessed the port.
      if (!sameOrigin(req)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return true;
      }
      const authorized = tokenMatches(offeredToken(req), expected);
      wss.handleUpgrade(req, socket, head, (ws) => accept(ws, authorized));
      return true;
    },
    close() {
      for (const client of wss.clients) client.terminate();
      return new Promise<void>((done) => wss.close(() => done()));
    },
  };
}

function offeredToken(req: IncomingMessage): string | undefined {
  const header = req.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(',')) {
    const p = part.trim();
    if (p.startsWith(WS_TOKEN_PREFIX)) {
      return Buffer.from(p.slice(WS_TOKEN_PREFIX.length), 'base64url').toString('utf8');
    }
  }
  return undefined;
}

function tokenMatches(offered: string | undefined, expected: Buffer): boolean {
  if (offered === undefined || expected.length === 0) return false;
  const got = Buffer.from(offered);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  // Non-browser clients send no Origin; they still need the token.
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
