// The httpGet action of probes and lifecycle hooks (pkg/probe/http): GET scheme://host:port/path
// with the user's headers, User-Agent kube-probe/<major.minor> (kube-lifecycle/… for hooks) and
// Accept */* unless given, HTTPS without certificate checks, over a connection dialled from the
// node's network namespace. Redirects are followed as upstream's client does: probes only to the
// same host (another host ends the chain, which upstream reports as a warning), hooks anywhere;
// both stop after 10. Errors read as Go's client words them ("Get \"http://…\": …").
import { request, type IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Container, HTTPGetAction } from 'kubernetes-types/core/v1';
import { KUBELET_VERSION } from '../node-status.ts';
import { resolvePort } from './probe-spec.ts';
import { dial, joinHostPort } from './tcp-socket.ts';

const MAX_BODY = 10 * 1024;
/** What OpenSSL says when the server answered a TLS hello in plain HTTP. */
const PLAIN_HTTP_ANSWER = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST']);

/** An HTTPS request that an HTTP server answered (Go's "server gave HTTP response to HTTPS client"). */
export const isHTTPResponseError = (e: unknown): boolean => (e as { code?: string }).code === 'HTTP_RESPONSE_TO_HTTPS';
const MAX_REDIRECTS = 10;
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

export interface HttpGetOptions {
  podIP: string;
  netnsPath?: string;
  /** The whole exchange, redirects included (http.Client.Timeout); undefined: none. */
  timeoutMs?: number;
  /** "probe" or "lifecycle": the User-Agent's kube-<purpose>. */
  purpose: 'probe' | 'lifecycle';
  /** Ends the request (a hook whose pod is being deleted). */
  signal?: AbortSignal;
}

export interface HttpGetResult {
  status: number;
  body: string;
  /** A probe's redirect to another host was not followed: status is the 3xx. */
  redirectStopped: boolean;
}

const [, major, minor] = /^v(\d+)\.(\d+)/.exec(KUBELET_VERSION) ?? [];

/** The request's headers as upstream's newProbeRequest sets them (names matched case-insensitively). */
export function probeHeaders(action: HTTPGetAction, purpose: string): [string, string][] {
  const headers: [string, string][] = (action.httpHeaders ?? []).map((h) => [h.name, h.value]);
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  if (!has('user-agent')) headers.push(['User-Agent', `kube-${purpose}/${major}.${minor}`]);
  if (!has('accept')) headers.push(['Accept', '*/*']);
  // An Accept given empty means none at all.
  return headers.filter(([n, v]) => !(n.toLowerCase() === 'accept' && v === ''));
}

export async function httpGet(action: HTTPGetAction, container: Container, opts: HttpGetOptions): Promise<HttpGetResult> {
  const scheme = (action.scheme ?? 'HTTP').toLowerCase();
  const host = action.host || opts.podIP;
  const port = resolvePort(action.port, container);
  const path = action.path ?? '';
  const first = new URL(`${scheme}://${joinHostPort(host, port)}${path.startsWith('/') || path === '' ? path : `/${path}`}`);
  const headers = probeHeaders(action, opts.purpose);
  const deadline = opts.timeoutMs === undefined ? undefined : Date.now() + opts.timeoutMs;
  let url = first;
  // Go sends the port it was given in Host, even the scheme's default one.
  let hostHeader = joinHostPort(host, port);
  for (let hops = 0; ; hops++) {
    const res = await getOnce(url, hostHeader, headers, deadline, opts.netnsPath, opts.signal);
    const location = res.location;
    if (![301, 302, 303, 307, 308].includes(res.status) || !location) return { status: res.status, body: res.body, redirectStopped: false };
    const next = new URL(location, url);
    if (opts.purpose === 'probe' && next.hostname !== first.hostname) return { status: res.status, body: res.body, redirectStopped: true };
    if (hops + 1 >= MAX_REDIRECTS) throw new Error(`Get "${next.href}": stopped after ${MAX_REDIRECTS} redirects`);
    url = next;
    hostHeader = next.host;
  }
}

async function getOnce(url: URL, hostHeader: string, headers: [string, string][], deadline: number | undefined, netnsPath: string | undefined, signal?: AbortSignal): Promise<{ status: number; body: string; location?: string }> {
  const fail = (message: string) => new Error(`Get "${url.href}": ${message}`);
  const left = () => (deadline === undefined ? 30_000 : deadline - Date.now());
  if (left() <= 0) throw fail('context deadline exceeded (Client.Timeout exceeded while awaiting headers)');
  if (signal?.aborted) throw fail('context canceled');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  let stream: Duplex;
  try {
    stream = await dial(hostname, port, left(), netnsPath);
    if (url.protocol === 'https:') stream = await handshake(stream, hostname);
  } catch (e) {
    if (PLAIN_HTTP_ANSWER.has((e as { code?: string }).code ?? '')) throw Object.assign(fail('http: server gave HTTP response to HTTPS client'), { code: 'HTTP_RESPONSE_TO_HTTPS' });
    throw fail((e as Error).message);
  }
  const userHost = headers.find(([n]) => n.toLowerCase() === 'host')?.[1];
  const sent = headers.filter(([n]) => n.toLowerCase() !== 'host').concat([['Host', userHost ?? hostHeader], ['Connection', 'close']]);
  return new Promise((resolve, reject) => {
    const timer = deadline === undefined ? undefined : setTimeout(() => {
      req.destroy(fail('context deadline exceeded (Client.Timeout exceeded while awaiting headers)'));
    }, left());
    const cancel = () => req.destroy(fail('context canceled'));
    signal?.addEventListener('abort', cancel, { once: true });
    const done = (f: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', cancel);
      stream.destroy();
      f();
    };
    const req = request({ method: 'GET', path: `${url.pathname}${url.search}`, headers: sent.flat(), setHost: false, createConnection: () => stream as never });
    req.once('error', (e) => done(() => reject(e.message.startsWith('Get "') ? e : fail(e.message))));
    req.once('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => done(() => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), location: res.headers.location }));
      res.on('data', (d: Buffer) => {
        chunks.push(d.subarray(0, Math.max(0, MAX_BODY - size)));
        size += d.length;
        // Upstream reads at most 10 KiB of the body and ignores the rest.
        if (size >= MAX_BODY) finish();
      });
      res.once('end', finish);
      res.once('error', finish);
    });
    req.end();
  });
}

/** TLS over the dialled stream, without verification (upstream's InsecureSkipVerify), in Go's 10 s. */
function handshake(stream: Duplex, host: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const tls = tlsConnect({ socket: stream, rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }) });
    const timer = setTimeout(() => tls.destroy(new Error('net/http: TLS handshake timeout')), TLS_HANDSHAKE_TIMEOUT_MS);
    tls.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(tls);
    });
    tls.once('error', (e) => {
      clearTimeout(timer);
      stream.destroy();
      reject(e);
    });
  });
}
