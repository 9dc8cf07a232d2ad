// GET of one object and LIST of many: selectors, limit/continue paging at one consistent
// revision, and the output forms (objects, metadata, tables).
import type { ServerResponse } from 'node:http';
import type { KeyValue } from '../../store/store.ts';
import { CompactedError } from '../../store/store.ts';
import type { KubeObject } from '../resources/types.ts';
import { copyWithResourceVersion, decodeObject, getObject, jsonWithResourceVersion, objectKey, RESOURCE_VERSION_ROOM, resourcePrefix } from '../object-store.ts';
import { parseFieldSelector, FieldSelectorError, type FieldSelector } from '../selectors/field-selector.ts';
import { parseLabelSelector, LabelSelectorError, type LabelSelector } from '../selectors/label-selector.ts';
import { apiVersionOf } from '../registry.ts';
import { ApiError, badRequest, gone, notFound } from '../status.ts';
import { writeJSON } from './codec.ts';
import { toServedVersion, type RequestScope } from './context.ts';
import { negotiateOutput, partialMetadata, table } from './output.ts';
import { drainOrClose } from '../../util/drain.ts';

export interface Selectors {
  labels: LabelSelector;
  fields: FieldSelector;
}

export function parseSelectors(scope: RequestScope): Selectors {
  try {
    return {
      labels: parseLabelSelector(scope.query.get('labelSelector')),
      fields: parseFieldSelector(scope.query.get('fieldSelector'), scope.served.definition),
    };
  } catch (e) {
    if (e instanceof LabelSelectorError || e instanceof FieldSelectorError) throw badRequest(e.message);
    throw e;
  }
}

export async function handleGet(scope: RequestScope): Promise<void> {
  const { info, served } = scope;
  const def = served.definition;
  const found = await getObject(scope.api.store, def, info.namespace, info.name!);
  if (!found) throw notFound(def.group, def.resource, info.name!);
  const obj = toServedVersion(served, found.obj);
  const form = negotiateOutput(scope.req, scope.query, false);
  if (form.kind === 'table') writeJSON(scope.res, 200, table(def, [obj], form, {}, scope.api.now()));
  else if (form.kind === 'metadata') writeJSON(scope.res, 200, partialMetadata(obj, form.version));
  else writeJSON(scope.res, 200, obj);
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

function encodeContinue(rv: number, lastKey: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${lastKey}\u0000` })).toString('base64url');
}

function decodeContinue(token: string, prefix: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string' || !t.start.startsWith(prefix)) throw new Error('bad token');
    return t;
  } catch {
    throw badRequest('continue key is not valid: invalid continue token');
  }
}

function checkResourceVersionMatch(rv: string | null, rvMatch: string | null): void {
  if (rvMatch === null || rvMatch === '') return;
  if (rvMatch !== 'Exact' && rvMatch !== 'NotOlderThan') {
    throw badRequest(`resourceVersionMatch: Unsupported value: "${rvMatch}": supported values: "Exact", "NotOlderThan"`);
  }
  if (!rv) throw badRequest(`resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided`);
  if (rvMatch === 'Exact' && rv === '0') throw badRequest(`resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"`);
}

export interface ListPage {
  kvs: KeyValue[];
  revision: number;
  continueToken?: string;
}

/** Reads matching keys for a LIST: one consistent revision, paged by limit, filtered by selectors. */
export async function readListPage(scope: RequestScope, selectors: Selectors, match: (kv: KeyValue) => boolean): Promise<ListPage> {
  const { info, served, query, api } = scope;
  const def = served.definition;
  const prefix = resourcePrefix(def, info.namespace);
  const limitParam = query.get('limit');
  const limit = limitParam ? Number(limitParam) : 0;
  if (limitParam && (!Number.isInteger(limit) || limit < 0)) throw badRequest(`invalid limit: ${limitParam}`);
  const cont = query.get('continue');
  let startAfter: string | undefined;
  let revision = 0;
  if (cont) {
    const t = decodeContinue(cont, prefix);
    startAfter = t.start.slice(0, -1);
    revision = t.rv;
  } else {
    const rv = query.get('resourceVersion');
    const rvMatch = query.get('resourceVersionMatch');
    if (rv && rv !== '0' && !/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${rv}`);
    if (query.get('sendInitialEvents') !== 'true') checkResourceVersionMatch(rv, rvMatch);
    if (rvMatch === 'Exact' && rv && rv !== '0') revision = Number(rv);
  }
  if (revision > api.store.revision()) {
    // Upstream waits a little for its cache to catch up, then gives up with this answer.
    throw new ApiError(504, 'Timeout', `Too large resource version: ${revision}, current: ${api.store.revision()}`, {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      retryAfterSeconds: 1,
    });
  }
  // metadata.name=x pins one key: read it directly instead of scanning.
  if (selectors.fields.name !== undefined && (info.namespace || !def.namespaced)) {
    const kv = await api.store.get(objectKey(def, info.namespace, selectors.fields.name));
    return { kvs: kv && match(kv) ? [kv] : [], revision: api.store.revision() };
  }
  const out: KeyValue[] = [];
  const pageSize = limit > 0 ? Math.max(limit, 500) : 0;
  try {
    for (;;) {
      const page = await api.store.range({ prefix, startAfter, limit: pageSize, revision: revision || undefined });
      revision = page.revision;
      for (const kv of page.kvs) {
        if (!match(kv)) continue;
        out.push(kv);
        if (limit > 0 && out.length === limit) {
          const more = page.more || page.kvs[page.kvs.length - 1] !== kv;
          if (!more) return { kvs: out, revision };
          return { kvs: out, revision, continueToken: encodeContinue(revision, kv.key) };
        }
      }
      if (!page.more || page.kvs.length === 0) return { kvs: out, revision };
      startAfter = page.kvs[page.kvs.length - 1].key;
    }
  } catch (e) {
    if (e instanceof CompactedError) {
      throw cont
        ? gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.')
        : gone(`too old resource version: ${revision} (${e.compacted})`);
    }
    throw e;
  }
}

export async function handleList(scope: RequestScope): Promise<void> {
  const { served } = scope;
  const def = served.definition;
  const selectors = parseSelectors(scope);
  const form = negotiateOutput(scope.req, scope.query, true);
  const needsObjects = form.kind !== 'object' || !served.isStorageVersion || !selectors.labels.empty || selectors.fields.requirements.length > 0;
  const decoded = new Map<KeyValue, KubeObject>();
  const match = (kv: KeyValue) => {
    if (!needsObjects) return true;
    const obj = toServedVersion(served, decodeObject(kv));
    decoded.set(kv, obj);
    return selectors.labels.matches(obj.metadata.labels) && selectors.fields.matches(obj);
  };
  const page = await readListPage(scope, selectors, match);
  const listMeta: Record<string, unknown> = { resourceVersion: String(page.revision) };
  if (page.continueToken) listMeta.continue = page.continueToken;
  const apiVersion = apiVersionOf(served.group, served.version);
  if (form.kind === 'table') {
    const objs = page.kvs.map((kv) => decoded.get(kv)!);
    writeJSON(scope.res, 200, table(def, objs, form, listMeta, scope.api.now()));
    return;
  }
  if (form.kind === 'metadata') {
    const items = page.kvs.map((kv) => partialMetadata(decoded.get(kv)!, form.version));
    writeJSON(scope.res, 200, { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${form.version}`, metadata: listMeta, items });
    return;
  }
  // Objects: splice the stored JSON texts together (parse only when conversion was needed), and
  // stream them in chunks so a list of 100,000 objects never sits in memory as one string.
  const head = `{"kind":${JSON.stringify(`${def.kind}List`)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(listMeta)},"items":[`;
  if (!needsObjects) {
    await writeChunkedBytes(scope.res, head, page.kvs, ']}');
    return;
  }
  const itemJSON = (kv: KeyValue) => {
    const obj = decoded.get(kv);
    return obj && !served.isStorageVersion ? JSON.stringify(obj) : jsonWithResourceVersion(kv);
  };
  await writeChunked(scope.res, head, page.kvs, itemJSON, ']}');
}

const chunkChars = 1 << 20;


/** writeChunked for stored objects as they are: bytes from the store to the socket. */
async function writeChunkedBytes(res: ServerResponse, head: string, kvs: readonly KeyValue[], tail: string): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  let chunk = Buffer.allocUnsafe(chunkChars);
  let pos = chunk.write(head);
  for (let i = 0; i < kvs.length; i++) {
    const room = 1 + kvs[i].valueLength + RESOURCE_VERSION_ROOM;
    if (pos + room > chunk.length) {
      // Each chunk is handed to the socket as it is, so the next one is a new buffer.
      const more = res.write(chunk.subarray(0, pos));
      chunk = Buffer.allocUnsafe(Math.max(chunkChars, room));
      pos = 0;
      if (!more) await drainOrClose(res);
      if (res.destroyed) return;
    }
    if (i > 0) chunk[pos++] = 0x2c; // ,
    pos = copyWithResourceVersion(kvs[i], chunk, pos);
  }
  res.write(chunk.subarray(0, pos));
  res.end(tail);
}

async function writeChunked<T>(res: ServerResponse, head: string, items: readonly T[], text: (item: T) => string, tail: string): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  let chunk = head;
  for (let i = 0; i < items.length; i++) {
    chunk += (i > 0 ? ',' : '') + text(items[i]);
    if (chunk.length >= chunkChars) {
      const more = res.write(chunk);
      chunk = '';
      if (!more) await drainOrClose(res);
      if (res.destroyed) return;
    }
  }
  res.end(chunk + tail);
}
