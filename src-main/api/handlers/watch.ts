// WATCH: a chunked stream of {"type","object"} lines from a resourceVersion on, with selectors
// applied to both the old and the new state (an object leaving a selector is DELETED for that
// watcher), bookmarks, initial events, 410 Gone for a compacted start, and a timeout.
import type { KeyValue, WatchEvent } from '../../store/store.ts';
import { CompactedError } from '../../store/store.ts';
import type { KubeObject } from '../resources/types.ts';
import { decodeShared, jsonWithResourceVersion, resourcePrefix } from '../object-store.ts';
import { apiVersionOf } from '../registry.ts';
import { badRequest, gone, internalError } from '../status.ts';
import { TransformError } from '../encryption/transformer.ts';
import { toServedVersion, type RequestScope } from './context.ts';
import { negotiateOutput, table } from './output.ts';
import { parseSelectors, readListPage } from './read.ts';
import { cloneJSON } from '../../util/clone-json.ts';

const bookmarkIntervalMs = 60_000;
/** A watcher whose socket is this far behind is cut off; its client re-lists. */
const maxBufferedBytes = 32 * 1024 * 1024;

/** Shared between watchers of one event: the plain event line, built once for all of them. */
const plainLineCache = new WeakMap<KeyValue, string>();

function plainLine(type: string, kv: KeyValue): string {
  let line = plainLineCache.get(kv);
  if (!line) {
    line = `{"type":"${type}","object":${jsonWithResourceVersion(kv)}}\n`;
    plainLineCache.set(kv, line);
  }
  return line;
}

export async function handleWatch(scope: RequestScope): Promise<void> {
  const { query, served, res, req, api } = scope;
  const def = served.definition;
  const selectors = parseSelectors(scope);
  const form = negotiateOutput(req, query, false);
  const rvParam = query.get('resourceVersion') ?? '';
  if (rvParam && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resource version: ${rvParam}`);
  const sendInitialEvents = query.get('sendInitialEvents') === 'true';
  const bookmarks = query.get('allowWatchBookmarks') === 'true';
  const timeoutParam = query.get('timeoutSeconds');
  const timeoutMs = timeoutParam ? Number(timeoutParam) * 1000 : (1800 + Math.random() * 1800) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw badRequest(`invalid timeoutSeconds: ${timeoutParam}`);
  const apiVersion = apiVersionOf(served.group, served.version);
  const needsObjects = form.kind !== 'object' || !served.isStorageVersion || !selectors.labels.empty || selectors.fields.requirements.length > 0;

  const matches = (obj: KubeObject) => selectors.labels.matches(obj.metadata.labels) && selectors.fields.matches(obj);
  // Objects are only read here: in the storage version every watcher shares one decode; another
  // version converts (and so changes) a copy.
  const served_ = (kv: KeyValue) => (served.isStorageVersion ? decodeShared(kv) : toServedVersion(served, cloneJSON(decodeShared(kv))));

  const encode = (type: string, kv: KeyValue, obj?: KubeObject): string => {
    if (form.kind === 'table') return `{"type":"${type}","object":${JSON.stringify(table(def, [obj ?? served_(kv)], form, { resourceVersion: String(kv.modRevision) }, api.now()))}}\n`;
    if (form.kind === 'metadata') {
      const o = obj ?? served_(kv);
      return `{"type":"${type}","object":${JSON.stringify({ kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${form.version}`, metadata: o.metadata })}}\n`;
    }
    if (obj && !served.isStorageVersion) return `{"type":"${type}","object":${JSON.stringify(obj)}}\n`;
    return `{"type":"${type}","object":${jsonWithResourceVersion(kv)}}\n`;
  };
  const bookmark = (rv: number, initialEnd = false): string => {
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    return `{"type":"BOOKMARK","object":${JSON.stringify({ kind: def.kind, apiVersion, metadata })}}\n`;
  };

  // Where the stream starts: the current state first (synthetic ADDED events) unless the client
  // names a resourceVersion to continue from.
  let startRevision: number;
  const initial: string[] = [];
  if (!rvParam || rvParam === '0' || sendInitialEvents) {
    const page = await readListPage(scope, selectors, (kv) => !needsObjects || matches(served_(kv)));
    for (const kv of page.kvs) initial.push(encode('ADDED', kv));
    startRevision = page.revision;
    if (sendInitialEvents) initial.push(bookmark(startRevision, true));
  } else {
    startRevision = Number(rvParam);
  }

  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  let closed = false;
  let watch: { cancel(): void } | undefined;
  let bookmarkTimer: NodeJS.Timeout | undefined;
  let lastRevision = startRevision;
  const finish = () => {
    if (closed) return;
    closed = true;
    watch?.cancel();
    clearTimeout(timeout);
    clearInterval(bookmarkTimer);
    res.end();
  };
  const write = (text: string) => {
    if (closed) return;
    res.write(text);
    if (res.writableLength > maxBufferedBytes) finish();
  };
  const timeout = setTimeout(finish, timeoutMs);
  req.on('close', finish);
  res.on('error', finish);
  for (const line of initial) write(line);

  // One write per batch of events: a chunk and a system call each, not one per event.
  const onEvents = (events: WatchEvent[]) => {
    const lines: string[] = [];
    for (const ev of events) {
      lastRevision = ev.kv.modRevision;
      if (!needsObjects) {
        // A stored value appears in one event only, so its type is the same for every watcher.
        lines.push(plainLine(ev.type === 'put' ? (ev.prevKv ? 'MODIFIED' : 'ADDED') : 'DELETED', ev.kv));
        continue;
      }
      const now = served_(ev.kv);
      const prev = ev.prevKv ? served_(ev.prevKv) : undefined;
      const nowMatches = matches(now);
      const prevMatches = prev ? matches(prev) : false;
      if (ev.type === 'delete') {
        if (nowMatches || prevMatches) lines.push(encode('DELETED', ev.kv, now));
      } else if (nowMatches) lines.push(encode(prevMatches ? 'MODIFIED' : 'ADDED', ev.kv, now));
      else if (prevMatches) lines.push(encode('DELETED', ev.kv, now));
    }
    if (lines.length > 0) write(lines.join(''));
  };
  try {
    watch = api.store.watch(resourcePrefix(def, scope.info.namespace), startRevision, {
      onEvents,
      onError: (err) => {
        // An object that cannot be decrypted: say why, as upstream's watch does, then end.
        if (err instanceof TransformError) write(`{"type":"ERROR","object":${JSON.stringify(internalError(err.message).toStatus())}}\n`);
        // A compaction the store learnt of only from etcd (another client compacted): 410 Gone too.
        else if (err instanceof CompactedError) write(`{"type":"ERROR","object":${JSON.stringify(gone(`too old resource version: ${startRevision} (${err.compacted})`).toStatus())}}\n`);
        finish();
      },
    });
  } catch (e) {
    if (e instanceof CompactedError) {
      write(`{"type":"ERROR","object":${JSON.stringify(gone(`too old resource version: ${startRevision} (${e.compacted})`).toStatus())}}\n`);
      finish();
      return;
    }
    throw e;
  }
  if (bookmarks) bookmarkTimer = setInterval(() => write(bookmark(lastRevision)), bookmarkIntervalMs);
}
