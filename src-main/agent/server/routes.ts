// The agent's route table: what the kubelet's server mux serves (/containerLogs, /exec, /attach,
// /portForward, /stats …), registered by the parts that answer them. A pattern is a path of
// literal segments, `:name` segments (one segment each, decoded) and an optional final `*name`
// that takes the rest of the path. Plain routes match by method; upgrade routes match an
// `Upgrade:` request of either verb (SPDY/3.1 is a POST, a WebSocket a GET), and their handler
// owns the raw socket: it answers the handshake (101) or writes an HTTP error itself.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export type RouteParams = Record<string, string>;

/** A plain request; a throw (or rejection) becomes a 500, or the AgentHttpError's code. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: RouteParams, query: URLSearchParams) => void | Promise<void>;

/** An upgrade request with its socket and the bytes read past its headers. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, params: RouteParams, query: URLSearchParams) => void | Promise<void>;

/** An error with the status code and the plain-text body the kubelet answers with. */
export class AgentHttpError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

interface Route<H> {
  method: string;
  segments: string[];
  handler: H;
}

export class RouteTable {
  private readonly plain: Route<RouteHandler>[] = [];
  private readonly upgrades: Route<UpgradeHandler>[] = [];

  /** method: GET, POST, … or '*' for any. */
  add(method: string, pattern: string, handler: RouteHandler): void {
    this.plain.push({ method: method.toUpperCase(), segments: split(pattern), handler });
  }

  addUpgrade(pattern: string, handler: UpgradeHandler): void {
    this.upgrades.push({ method: '*', segments: split(pattern), handler });
  }

  /**
   * The plain route for a request; else 'method' when the path exists for another method (405),
   * 'upgrade' when only an upgrade serves it (400), undefined when nothing does (404).
   */
  findPlain(method: string, path: string): { handler: RouteHandler; params: RouteParams } | 'method' | 'upgrade' | undefined {
    let other = false;
    for (const route of this.plain) {
      const params = match(route.segments, path);
      if (!params) continue;
      if (route.method === '*' || route.method === method.toUpperCase() || (method.toUpperCase() === 'HEAD' && route.method === 'GET')) return { handler: route.handler, params };
      other = true;
    }
    if (other) return 'method';
    return this.upgrades.some((r) => match(r.segments, path)) ? 'upgrade' : undefined;
  }

  findUpgrade(path: string): { handler: UpgradeHandler; params: RouteParams } | undefined {
    for (const route of this.upgrades) {
      const params = match(route.segments, path);
      if (params) return { handler: route.handler, params };
    }
    return undefined;
  }
}

function split(path: string): string[] {
  return path.split('/').filter(Boolean);
}

function match(pattern: string[], path: string): RouteParams | undefined {
  const parts = split(path);
  const params: RouteParams = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith('*')) {
      params[p.slice(1)] = parts.slice(i).map(decode).join('/');
      return params;
    }
    if (i >= parts.length) return undefined;
    if (p.startsWith(':')) params[p.slice(1)] = decode(parts[i]);
    else if (p !== parts[i]) return undefined;
  }
  return parts.length === pattern.length ? params : undefined;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
