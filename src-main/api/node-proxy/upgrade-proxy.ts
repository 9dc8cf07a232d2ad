// Proxying to an agent the way upstream's UpgradeAwareHandler does. An upgrade (exec, attach,
// port-forward: SPDY/3.1 by POST, WebSocket by GET) is proxied at the socket level: the request
// line (with the agent's path) and the client's headers, minus its Authorization, go to the
// agent over a fresh TLS connection, then bytes flow both ways untouched — the agent's 101 or
// its error included — and either side closing closes the other. A plain request (logs, -f
// included) is a streamed HTTPS request whose answer is copied as it arrives.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError, badRequest } from '../status.ts';
import type { AgentConnector } from './agent-connector.ts';

/** Headers the proxy sets itself or must not pass on. */
const dropped = new Set(['authorization', 'host']);

export async function proxyUpgrade(agents: AgentConnector, nodeName: string, path: string, req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
  const { socket: agent, location } = await agents.connect(nodeName);
  const lines = [`${req.method ?? 'GET'} ${path} HTTP/1.1`, `Host: ${location.host.includes(':') ? `[${location.host}]` : location.host}:${location.port}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (!dropped.has(req.rawHeaders[i].toLowerCase())) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  }
  agent.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (head.length > 0) agent.write(head);
  const closeBoth = (): void => {
    client.destroy();
    agent.destroy();
  };
  for (const s of [agent, client]) s.on('error', closeBoth).on('close', closeBoth);
  // end() of one half is passed on; the sockets close once both halves ended.
  agent.pipe(client);
  client.pipe(agent);
}

/**
 * A plain request proxied and streamed back. `checked` turns a non-2xx answer into the API's
 * error, as upstream's GenericHttpResponseChecker does for pods/log; without it the answer is
 * copied whatever it is.
 */
export async function proxyStream(agents: AgentConnector, nodeName: string, path: string, req: IncomingMessage, res: ServerResponse, checked?: { resource: string; name: string }): Promise<void> {
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : req;
  const answer = await agents.request(nodeName, path, { method: req.method, signal: abort.signal, body, headers: pick(req, ['content-type', 'content-length', 'accept']) });
  const code = answer.statusCode ?? 500;
  if (checked && (code < 200 || code > 206)) throw await responseError(answer, code, checked);
  const headers: Record<string, string> = { 'Content-Type': checked ? 'text/plain' : String(answer.headers['content-type'] ?? 'text/plain') };
  res.writeHead(code, headers);
  res.flushHeaders();
  answer.on('error', () => res.destroy());
  answer.pipe(res);
}

function pick(req: IncomingMessage, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) if (typeof req.headers[n] === 'string') out[n] = req.headers[n] as string;
  return out;
}

async function responseError(answer: IncomingMessage, code: number, what: { resource: string; name: string }): Promise<ApiError> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of answer as AsyncIterable<Buffer>) {
    if (size < 16 << 10) chunks.push(chunk);
    size += chunk.length;
  }
  const text = Buffer.concat(chunks).toString('utf8').slice(0, 16 << 10).trim();
  if (code === 400) return badRequest(text);
  if (code === 500) return new ApiError(500, 'InternalError', `Internal error occurred: ${text}`);
  if (code === 404) return new ApiError(404, 'NotFound', `the server could not find the requested resource ( ${what.resource} ${what.name})`);
  return new ApiError(code, code === 401 ? 'Unauthorized' : code === 403 ? 'Forbidden' : 'Unknown', `the server responded with the status code ${code} but did not return more information ( ${what.resource} ${what.name})`);
}
