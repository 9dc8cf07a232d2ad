// Reading request bodies and writing responses: JSON in and out, YAML accepted in, size limits,
// and the Status of any error.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYAML } from 'yaml';
import { ApiError, badRequest, tooLarge, unsupportedMediaType } from '../status.ts';
import { decodeKubernetesProtobuf, kubernetesProtobufType, ProtobufDecodeError } from '../protobuf/index.ts';

/** kube-apiserver's limit for a single request body. */
export const maxBodyBytes = 3 * 1024 * 1024;

// With 'data' listeners rather than `for await`: the async iterator costs more than the small
// bodies of most writes take to read. A body over the limit is read to its end but not kept, and
// refused only then, so the client is still sending when the 413 comes back (no broken pipe).
export function readBody(req: IncomingMessage, limit = maxBodyBytes): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.once('end', () => {
      if (size > limit) reject(tooLarge(limit));
      else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('the client closed the connection before the body was complete'));
    });
  });
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
}

/** Parses a JSON or YAML body into a value; 400 naming where it is malformed. */
export function decodeBody(body: Buffer, type: string): unknown {
  if (type === kubernetesProtobufType) return decodeProtobuf(body);
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('the request body is empty');
  const isYAML = type === 'application/yaml' || type === 'application/apply-patch+yaml' || type === 'application/x-yaml' || type === 'text/yaml';
  const isJSON = type === 'application/json' || type.endsWith('+json') || type === '*/*' || type === '';
  if (!isYAML && !isJSON) throw unsupportedMediaType(type);
  if (isJSON) {
    try {
      return JSON.parse(text);
    } catch (e) {
      // YAML is a superset of JSON; kubectl sometimes sends JSON with a YAML type and vice versa.
      if (type !== 'application/apply-patch+yaml') throw badRequest(`error decoding JSON: ${jsonErrorWhere(text, e as Error)}`);
    }
  }
  try {
    return parseYAML(text, { maxAliasCount: 100, uniqueKeys: true });
  } catch (e) {
    const err = e as Error & { linePos?: { line: number; col: number }[] };
    const pos = err.linePos?.[0];
    const where = pos ? `line ${pos.line}, column ${pos.col}: ` : '';
    throw badRequest(`error converting YAML to JSON: yaml: ${where}${err.message.split('\n')[0]}`);
  }
}

/** Newer kubectl sends typed objects as Kubernetes protobuf; they become the same JSON shape. */
function decodeProtobuf(body: Buffer): unknown {
  try {
    return decodeKubernetesProtobuf(body).object;
  } catch (e) {
    if (!(e instanceof ProtobufDecodeError)) throw e;
    if (e.message.startsWith('unknown kind')) throw new ApiError(415, 'UnsupportedMediaType', `the body of the request could not be decoded as protobuf: ${e.message}`);
    throw badRequest(`error decoding protobuf: ${e.message}`);
  }
}

/** "at line 3, column 7: Unexpected token" from V8's message, which gives a position. */
function jsonErrorWhere(text: string, err: Error): string {
  const m = /position (\d+)/.exec(err.message);
  if (!m) return err.message;
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return `invalid character at line ${line}, column ${col}: ${err.message.replace(/ in JSON at position \d+.*$/, '')}`;
}

/** A request body, decoded, with its text when it was JSON (for duplicate-field checks). */
export async function readObjectBody(req: IncomingMessage): Promise<{ value: unknown; rawJSON?: string }> {
  const body = await readBody(req);
  const type = mediaType(req);
  const value = decodeBody(body, type);
  return { value, rawJSON: type === 'application/json' ? body.toString('utf8') : undefined };
}

export function writeJSON(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function writeError(res: ServerResponse, err: unknown): void {
  const apiErr = err instanceof ApiError ? err : new ApiError(500, 'InternalError', `Internal error occurred: ${(err as Error)?.message ?? String(err)}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // A body refused before it was read whole leaves the connection unusable: close it.
  const headers: Record<string, string> = apiErr.code === 413 ? { Connection: 'close' } : {};
  writeJSON(res, apiErr.code, apiErr.toStatus(), headers);
}

/** Is this a plain JSON object (not an array, null, or what a YAML tag made: bytes, dates)? */
export function isObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
