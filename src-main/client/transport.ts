// The HTTP(S) layer under KubeClient: one keep-alive agent per client (so controllers re-use
// connections instead of paying a TLS handshake per request), the cluster CA pinned as the only
// trusted root, and the bearer token on every request. Plain http: is accepted for tests.
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import WebSocket from 'ws';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { ConnectionConfig } from './kubeconfig.ts';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  body?: string;
  contentType?: string;
  accept?: string;
  /** Abort the request when no answer arrived in time; 0 disables it (watches). */
  timeoutMs?: number;
}

/** A request whose response body is consumed as a stream (watches, logs). */
export interface StreamHandle {
  response: Promise<IncomingMessage>;
  abort(): void;
}

const DEFAULT_TIMEOUT_MS = 60_000;

export class Transport {
  private readonly base: URL;
  private agent: http.Agent;
  private readonly mod: typeof http | typeof https;
  private readonly token?: string;

  /** The CA the server is verified with (PEM), when one was given. */
  get ca(): string | undefined {
    return this.cfg.ca;
  }

  constructor(private cfg: ConnectionConfig) {
    this.base = new URL(cfg.server);
    if (this.base.protocol !== 'https:' && this.base.protocol !== 'http:') {
      throw new Error(`unsupported server URL ${cfg.server}: only https: and http: are supported`);
    }
    this.token = cfg.token;
    if (this.base.protocol === 'https:') {
      this.mod = https;
      this.agent = this.httpsAgent();
    } else {
      this.mod = http;
      this.agent = new http.Agent({ keepAlive: true });
    }
  }

  private httpsAgent(): https.Agent {
    return new https.Agent({
      keepAlive: true,
      // Pinning: with `ca` set, Node trusts only it, not the system roots. One context for
      // every connection: without it each new socket parses the CA again.
      secureContext: tls.createSecureContext({ ca: this.cfg.ca, cert: this.cfg.cert, key: this.cfg.key }),
      rejectUnauthorized: !this.cfg.insecureSkipTLSVerify,
      servername: this.cfg.tlsServerName,
    });
  }

  get server(): string {
    return this.base.origin + this.base.pathname.replace(/\/$/, '');
  }

  private open(method: string, path: string, opts: RequestOptions): http.ClientRequest {
    const headers: Record<string, string> = {
      Accept: opts.accept ?? 'application/json',
      'User-Agent': 'kubelab-client',
    };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (opts.body !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(opts.body));
    }
    const prefix = this.base.pathname.replace(/\/$/, '');
    const req = this.mod.request({
      protocol: this.base.protocol,
      hostname: this.base.hostname.replace(/^\[|\]$/g, ''),
      port: this.base.port || undefined,
      method,
      path: prefix + path,
      headers,
      agent: this.agent,
    });
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
    return req;
  }

  /** Sends a request and buffers the whole answer, whatever its status. */
  request(method: string, path: string, opts: RequestOptions = {}): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const req = this.open(method, path, opts);
      const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      if (timeoutMs > 0) {
        req.setTimeout(timeoutMs, () => {
          req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`));
        });
      }
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
    });
  }

  /** Opens a request whose body the caller reads as it arrives. */
  stream(method: string, path: string, opts: RequestOptions = {}): StreamHandle {
    const req = this.open(method, path, { ...opts, timeoutMs: 0 });
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      req.on('error', reject);
      req.on('response', resolve);
    });
    // A caller that aborts before the response arrived must not see an unhandled rejection.
    response.catch(() => undefined);
    return { response, abort: () => req.destroy() };
  }

  /** A WebSocket to `path` (exec, attach, port-forward), with this connection's TLS and credential. */
  websocket(path: string, protocols: string[]): WebSocket {
    const url = new URL(this.server.replace(/^http/, 'ws') + path);
    return new WebSocket(url, protocols, {
      ca: this.cfg.ca, cert: this.cfg.cert, key: this.cfg.key, rejectUnauthorized: !this.cfg.insecureSkipTLSVerify, ...(this.cfg.tlsServerName ? { servername: this.cfg.tlsServerName } as object : {}),
      headers: this.token ? { Authorization: `Bearer ${this.token}` } : {},
    });
  }

  /**
   * Uses a new client certificate (a rotated node credential). Every open connection is closed,
   * as the kubelet closes them on rotation, so none goes on under the old certificate: requests
   * in flight fail and watches end, and their callers retry on new connections.
   */
  setClientCertificate(cert: string, key: string): void {
    this.cfg = { ...this.cfg, cert, key };
    if (this.base.protocol !== 'https:') return;
    const old = this.agent;
    this.agent = this.httpsAgent();
    old.destroy();
  }

  /** Closes idle keep-alive sockets; in-flight requests finish. */
  close(): void {
    this.agent.destroy();
  }
}
