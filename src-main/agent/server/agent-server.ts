// The agent's HTTPS endpoint (the kubelet's :10250): TLS with the agent's serving certificate
// (certificates/serving-certificate.ts keeps it signed by the cluster CA and swaps it in), every request authenticated by client certificate (agent-auth.ts), then routed
// through the RouteTable the kubelet's parts fill (logs here; exec, attach, port-forward, stats
// by theirs). Answers are the kubelet's: plain text errors, Go's "404 page not found".
//
//   const server = new AgentServer({ caPem, nodeName, certificate, port: 10250, address: '0.0.0.0' });
//   server.addRoute('GET', '/containerLogs/:namespace/:pod/:container', (req, res, params, query) => …);
//   server.addUpgradeRoute('/exec/:namespace/:pod/:container', (req, socket, head, params, query) => …);
//   const port = await server.start();   // routes may be added before or after start
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { authorizeAgentRequest } from './agent-auth.ts';
import type { KeyPair } from '../certificates/certificate-manager.ts';
import { provisionalServingCert } from '../certificates/serving-certificate.ts';
import { AgentHttpError, RouteTable, type RouteHandler, type UpgradeHandler } from './routes.ts';

export { AgentHttpError } from './routes.ts';
export type { RouteHandler, RouteParams, UpgradeHandler } from './routes.ts';

export interface AgentServerOptions {
  /** The cluster CA (from the agent's kubeconfig): client certificates must chain to it. */
  caPem: string;
  nodeName: string;
  /** 10250 by default; 0 takes any free port. */
  port?: number;
  address?: string;
  /** The serving certificate and key; without one, a provisional self-signed pair. */
  certificate?: KeyPair;
  log?: (line: string) => void;
}

export const DEFAULT_AGENT_PORT = 10250;

export class AgentServer {
  private readonly routes = new RouteTable();
  private server?: Server;
  /** Upgraded connections belong to their handlers, not the HTTP server: stop() ends them. */
  private readonly upgraded = new Set<Duplex>();

  constructor(private readonly opts: AgentServerOptions) {}

  addRoute(method: string, pattern: string, handler: RouteHandler): void {
    this.routes.add(method, pattern, handler);
  }

  addUpgradeRoute(pattern: string, handler: UpgradeHandler): void {
    this.routes.addUpgrade(pattern, handler);
  }

  /** Listens; resolves with the port (the one asked for, or the free one taken for 0). */
  async start(): Promise<number> {
    const server = createServer({ ...this.tlsOptions(this.opts.certificate ?? provisionalServingCert(this.opts.nodeName)), requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' }, (req, res) => this.handle(req, res));
    // Followed logs stay open as long as the client reads.
    server.requestTimeout = 0;
    server.timeout = 0;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(req, socket, head));
    server.on('clientError', (_err, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? DEFAULT_AGENT_PORT, this.opts.address ?? '0.0.0.0', () => resolve());
    });
    this.server = server;
    return this.port;
  }

  /** Serves a new certificate (a rotated one) on the connections made from now on. */
  setServingCertificate(pair: KeyPair): void {
    this.opts.certificate = pair;
    this.server?.setSecureContext(this.tlsOptions(pair));
  }

  private tlsOptions(pair: KeyPair): { cert: string; key: string; ca: string } {
    return { cert: pair.certPem, key: pair.keyPem, ca: this.opts.caPem };
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    for (const s of this.upgraded) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const { path, query } = splitURL(req.url);
    const auth = authorizeAgentRequest(req, path);
    if (!auth.allowed) return writeText(res, auth.code, auth.message);
    const found = this.routes.findPlain(req.method ?? 'GET', path);
    if (found === undefined) return writeText(res, 404, '404 page not found');
    if (found === 'method') return writeText(res, 405, 'Method Not Allowed');
    // As the kubelet's stream servers answer a request without the upgrade headers.
    if (found === 'upgrade') return writeText(res, 400, 'Upgrade request required');
    Promise.resolve()
      .then(() => found.handler(req, res, found.params, query))
      .catch((err: unknown) => {
        if (!(err instanceof AgentHttpError)) this.opts.log?.(`agent: ${req.method} ${path}: ${(err as Error)?.stack ?? String(err)}`);
        if (res.headersSent) res.destroy();
        else writeText(res, err instanceof AgentHttpError ? err.code : 500, (err as Error).message);
      });
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    this.upgraded.add(socket);
    socket.once('close', () => this.upgraded.delete(socket));
    const { path, query } = splitURL(req.url);
    const auth = authorizeAgentRequest(req, path);
    if (!auth.allowed) return writeSocketError(socket, auth.code, auth.message);
    const found = this.routes.findUpgrade(path);
    if (!found) return writeSocketError(socket, 404, '404 page not found');
    Promise.resolve()
      .then(() => found.handler(req, socket, head, found.params, query))
      .catch((err: unknown) => {
        if (!(err instanceof AgentHttpError)) this.opts.log?.(`agent: upgrade ${path}: ${(err as Error)?.stack ?? String(err)}`);
        writeSocketError(socket, err instanceof AgentHttpError ? err.code : 500, (err as Error).message);
      });
  }
}

function splitURL(raw: string | undefined): { path: string; query: URLSearchParams } {
  const text = raw ?? '/';
  const q = text.indexOf('?');
  return { path: q < 0 ? text : text.slice(0, q), query: new URLSearchParams(q < 0 ? '' : text.slice(q + 1)) };
}

/** A plain-text answer, as Go's http.Error writes it. */
export function writeText(res: ServerResponse, code: number, message: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(`${message}\n`);
}

/** An HTTP error on an upgrade socket that was not (yet) switched, then closed. */
export function writeSocketError(socket: Duplex, code: number, message: string): void {
  if (socket.destroyed || !socket.writable) return void socket.destroy();
  const body = `${message}\n`;
  const reason: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' };
  socket.end(`HTTP/1.1 ${code} ${reason[code] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
