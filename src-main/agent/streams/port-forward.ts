// The agent's /portForward/{namespace}/{pod}: every forwarded connection goes to 127.0.0.1:PORT
// inside the pod's network namespace, as containerd does it. Over SPDY (and SPDY tunnelled in a
// WebSocket) the client opens an error and a data stream per connection, paired by requestID;
// over a plain WebSocket (client libraries) the ports are in the query, one connection each, on
// channels 2n (data) and 2n+1 (error), each starting with its port as two little-endian bytes.
import type { Duplex } from 'node:stream';
import { dialTCP } from '../network/netns-dial.ts';
import type { SpdyConnection, SpdyStream } from './spdy-connection.ts';
import type { StreamLookup } from './stream-lookup.ts';
import type { UpgradeHandler } from '../server/routes.ts';
import { refuse, upgrade } from './upgrade.ts';
import { WsChannels } from './ws-channels.ts';

export const PORT_FORWARD_PROTOCOLS = {
  websocket: ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io', 'channel.k8s.io', 'base64.channel.k8s.io'],
  spdy: ['portforward.k8s.io'],
  spdyTunnel: 'SPDY/3.1+portforward.k8s.io',
};

interface Target {
  uid: string;
  netnsPath: string;
}

const ERRNO_TEXT: Record<string, string> = { ECONNREFUSED: 'connection refused', ETIMEDOUT: 'i/o timeout', EHOSTUNREACH: 'no route to host', ENETUNREACH: 'network is unreachable' };

/** Dials the port inside the pod, or rejects with upstream's message for the error stream. */
async function dialPod(target: Target, port: number): Promise<Duplex> {
  try {
    return await dialTCP('127.0.0.1', port, { netnsPath: target.netnsPath });
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    const why = ERRNO_TEXT[code] ?? (e as Error).message;
    throw new Error(`error forwarding port ${port} to pod ${target.uid}, uid : failed to execute portforward in network namespace "${target.netnsPath}": ` +
      `failed to connect to localhost:${port} inside namespace "${target.uid}", IPv4: dial tcp4 127.0.0.1:${port}: connect: ${why} `);
  }
}

/** How long the other direction may go on once one ended, as containerd's port-forward waits. */
const GRACE_MS = 1000;

/**
 * Copies both ways between the client's stream `a` and the pod's socket `b`, each side's end
 * becoming the other's half-close. Done (the socket closed) when both ended, or a grace period after the first: the client waits for the error stream's
 * end before it closes its local connection, so the forward must not wait for that close.
 */
function splice(a: Duplex, b: Duplex): Promise<void> {
  return new Promise((resolve) => {
    let ended = 0;
    let timer: NodeJS.Timeout | undefined;
    const done = (): void => {
      clearTimeout(timer);
      b.destroy();
      if (!a.writableEnded) a.end(); // the client's side: a half-close, not a reset
      resolve();
    };
    const oneEnded = (): void => {
      if (++ended === 2) done();
      else timer = setTimeout(done, GRACE_MS);
    };
    a.pipe(b).on('finish', oneEnded);
    b.pipe(a).on('finish', oneEnded);
    for (const s of [a, b]) {
      s.on('error', done);
      s.on('close', () => !s.readableEnded && done());
    }
  });
}

function parsePorts(query: URLSearchParams): number[] | string {
  const ports = query.getAll('ports').flatMap((p) => p.split(',')).filter(Boolean).map((p) => Number(p.trim()));
  const bad = ports.find((p) => !Number.isInteger(p) || p < 1 || p > 65535);
  return bad === undefined ? ports : `invalid port: ${bad}`;
}

function forwardSpdy(conn: SpdyConnection, target: Target): void {
  const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream }>();
  conn.on('stream', (s) => {
    s.on('error', () => undefined);
    const id = s.headers.requestid ?? '';
    const pair = pairs.get(id) ?? {};
    pairs.set(id, pair);
    if (s.headers.streamtype === 'error') pair.error = s;
    else if (s.headers.streamtype === 'data') pair.data = s;
    else return void s.destroy();
    if (!pair.error || !pair.data) return;
    pairs.delete(id);
    const { error, data } = pair as Required<typeof pair>;
    error.resume(); // the client never writes on it
    const port = Number(data.headers.port);
    dialPod(target, port).then(
      (socket) => splice(data, socket).then(() => error.end()),
      (e: Error) => {
        error.end(e.message);
        data.end();
      },
    );
  });
}

function forwardWebSocket(ch: WsChannels, target: Target, ports: number[]): void {
  let open = ports.length;
  ports.forEach((port, i) => {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port, 0);
    ch.send(2 * i, portBytes);
    ch.send(2 * i + 1, portBytes);
    const finish = (): void => {
      if (--open === 0) ch.close();
    };
    const data = ch.duplex(2 * i); // before the dial: what the client sends meanwhile waits in it
    dialPod(target, port).then(
      (socket) => splice(data, socket).then(finish),
      (e: Error) => {
        ch.send(2 * i + 1, Buffer.from(e.message));
        finish();
      },
    );
  });
}

export function portForwardHandler(lookup: StreamLookup): UpgradeHandler {
  return async (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://agent');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'portForward' || parts.length < 3 || parts.length > 4) return refuse(socket, 400, 'Bad Request', 'expected /portForward/{namespace}/{pod}');
    const ports = parsePorts(url.searchParams);
    if (typeof ports === 'string') return refuse(socket, 400, 'Bad Request', ports);
    const target = lookup.podNetwork(parts[1]!, parts[2]!);
    if (!target) return refuse(socket, 404, 'Not Found', `pod not found ("${parts[2]}_${parts[1]}")`);
    const isWebSocket = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
    const tunnelled = isWebSocket && String(req.headers['sec-websocket-protocol'] ?? '').includes(PORT_FORWARD_PROTOCOLS.spdyTunnel);
    if (isWebSocket && !tunnelled && ports.length === 0) return refuse(socket, 400, 'Bad Request', 'query parameter "port" is required');
    const up = await upgrade(req, socket, head, PORT_FORWARD_PROTOCOLS);
    if (!up) return;
    if (up.kind === 'spdy') forwardSpdy(up.conn, target);
    else forwardWebSocket(new WsChannels(up.ws, up.protocol), target, ports);
  };
}
