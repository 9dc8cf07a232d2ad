// HTTP(S) for the registry client: one request with the endpoint's TLS settings, redirects
// followed (registries send blobs to storage or a CDN) without leaking the Authorization header
// to another host, and the registry's error JSON turned into a precise ImageError.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { ImageError } from './image-error.ts';
import type { RegistryTLSConfig } from './registry-config.ts';

export interface RegistryResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  url: URL;
}

export interface RegistryRequest {
  method?: string;
  headers?: Record<string, string>;
  tls?: RegistryTLSConfig;
  body?: Buffer;
}

const maxRedirects = 10;
const idleTimeoutMs = 60_000;

/** Sends one request, following redirects; resolves with the final response, body unread. */
export async function registryRequest(url: URL, req: RegistryRequest = {}): Promise<RegistryResponse> {
  let current = url;
  let headers = { ...req.headers };
  for (let hop = 0; hop <= maxRedirects; hop++) {
    const res = await send(current, { ...req, headers });
    const location = res.headers.location;
    if (![301, 302, 303, 307, 308].includes(res.statusCode ?? 0) || !location) {
      return { status: res.statusCode ?? 0, headers: res.headers, body: res, url: current };
    }
    res.resume();
    const next = new URL(location, current);
    // A redirect to storage carries its own signature; our token is for the registry only.
    if (next.host !== current.host) {
      const { Authorization: _auth, ...rest } = headers;
      headers = rest;
    }
    current = next;
  }
  throw new ImageError('ErrImagePull', `too many redirects fetching ${url.href}`);
}

function send(url: URL, req: RegistryRequest): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = {
      method: req.method ?? 'GET',
      headers: { 'User-Agent': 'kubelab-agent', ...req.headers },
    };
    if (url.protocol === 'https:') Object.assign(options, tlsOptions(req.tls ?? {}));
    const mod = url.protocol === 'https:' ? https : http;
    const request = mod.request(url, options, resolve);
    request.setTimeout(idleTimeoutMs, () => {
      request.destroy(new Error(`no answer from ${url.host} within ${idleTimeoutMs / 1000}s`));
    });
    request.on('error', (err) => reject(new ImageError('ErrImagePull', `${url.origin}: ${err.message}`)));
    request.end(req.body);
  });
}

function tlsOptions(tls: RegistryTLSConfig): https.RequestOptions {
  const options: https.RequestOptions = {};
  if (tls.insecureSkipVerify) options.rejectUnauthorized = false;
  if (tls.caFile) options.ca = readFileSync(tls.caFile);
  if (tls.certFile) options.cert = readFileSync(tls.certFile);
  if (tls.keyFile) options.key = readFileSync(tls.keyFile);
  return options;
}

/** Reads a whole body, refusing more than `limit` bytes (manifests, tokens, error JSON). */
export async function readBody(body: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      throw new ImageError('ErrImagePull', `registry response exceeds ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The error for a non-2xx answer, with the registry's reason: `errors[0].code` and `message`
 * from the distribution spec's error body when there is one, else the HTTP status text.
 */
export async function registryError(res: RegistryResponse, what: string): Promise<ImageError> {
  const text = (await readBody(res.body, 64 * 1024).catch(() => Buffer.alloc(0))).toString('utf8');
  let code: string | undefined;
  let detail = http.STATUS_CODES[res.status] ?? 'error';
  try {
    const parsed = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    const first = parsed.errors?.[0];
    if (first?.code) {
      code = first.code;
      detail = `${first.code}: ${first.message ?? ''}`.replace(/: $/, '');
    }
  } catch {
    // Not JSON (a proxy's HTML page): the status text is all we can say.
  }
  return new ImageError('ErrImagePull', `${what}: ${res.status} ${detail}`, {
    status: res.status,
    ...(code ? { code } : {}),
  });
}
