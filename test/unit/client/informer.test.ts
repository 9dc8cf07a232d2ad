import type http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Informer, stripManagedFields } from '../../../src-main/client/informer.ts';
import { KubeClient } from '../../../src-main/client/kube-client.ts';
import type { KubeObject } from '../../../src-main/client/types.ts';
import { FakeServer, eventually, json, status, type RecordedRequest } from './fake-server.ts';

const configmaps = { group: '', version: 'v1', resource: 'configmaps' };
const cm = (name: string, rv: string): KubeObject => ({ kind: 'ConfigMap', metadata: { name, namespace: 'ns', resourceVersion: rv } });

let server: FakeServer;
let client: KubeClient;
let informer: Informer | undefined;
const log: string[] = [];
const open: http.ServerResponse[] = [];

function record(inf: Informer): void {
  inf.on('add', (o) => log.push(`add ${o.metadata?.name}@${o.metadata?.resourceVersion}`))
    .on('update', (a, b) => log.push(`update ${b.metadata?.name}@${a.metadata?.resourceVersion}->${b.metadata?.resourceVersion}`))
    .on('delete', (o) => log.push(`delete ${o.metadata?.name}`));
}

function streamEvents(res: http.ServerResponse, events: object[], end = false): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  for (const e of events) res.write(JSON.stringify(e) + '\n');
  if (end) res.end();
  else open.push(res);
}

const lists = (reqs: RecordedRequest[]): RecordedRequest[] => reqs.filter((r) => !r.url.searchParams.has('watch'));
const watches = (reqs: RecordedRequest[]): RecordedRequest[] => reqs.filter((r) => r.url.searchParams.has('watch'));

beforeEach(async () => {
  log.length = 0;
  server = new FakeServer();
  client = new KubeClient({ server: await server.start() });
});

afterEach(async () => {
  informer?.stop();
  informer = undefined;
  for (const r of open.splice(0)) r.destroy();
  client.close();
  await server.stop();
});

describe('Informer', () => {
  it('lists, watches from the list resourceVersion, and re-lists on a 410 ERROR event', async () => {
    let listCount = 0;
    let watchCount = 0;
    server.route = (req, res) => {
      if (!req.url.searchParams.has('watch')) {
        listCount++;
        if (listCount === 1) json(res, 200, { metadata: { resourceVersion: '10' }, items: [cm('a', '3'), cm('b', '4')] });
        // after the gap: a was deleted, b changed, c appeared
        else json(res, 200, { metadata: { resourceVersion: '30' }, items: [cm('b', '25'), cm('c', '28')] });
        return;
      }
      watchCount++;
      if (watchCount === 1) {
        streamEvents(res, [
          { type: 'MODIFIED', object: cm('a', '11') },
          { type: 'ERROR', object: status(410, 'Expired', 'too old resource version') },
        ]);
      } else streamEvents(res, [{ type: 'ADDED', object: cm('d', '31') }]);
    };
    informer = new Informer(client, configmaps, { namespace: 'ns' });
    record(informer);
    await informer.start();
    expect(informer.list().map((o) => o.metadata?.name).sort()).toEqual(['a', 'b']);
    await eventually(() => log.includes('add d@31'), 3000, 'the event after the relist');
    expect(log).toEqual([
      'add a@3', 'add b@4', 'update a@3->11',
      'delete a', 'update b@4->25', 'add c@28',
      'add d@31',
    ]);
    const w = watches(server.requests);
    expect(w.map((r) => r.url.searchParams.get('resourceVersion'))).toEqual(['10', '30']);
    expect(w[0].url.pathname).toBe('/api/v1/namespaces/ns/configmaps');
    expect(w[0].url.searchParams.get('allowWatchBookmarks')).toBe('true');
    expect(informer.get('ns/c')?.metadata?.resourceVersion).toBe('28');
    expect(informer.get('ns/a')).toBeUndefined();
    expect(informer.lastSyncResourceVersion()).toBe('31');
  });

  it('caches objects through its transform, from the list and from the watch, and indexes them', async () => {
    const managed = (name: string, rv: string, app: string): KubeObject => ({
      ...cm(name, rv), metadata: { ...cm(name, rv).metadata, labels: { app }, managedFields: [{ manager: 'kubectl', operation: 'Update' }] },
    });
    server.route = (req, res) => {
      if (!req.url.searchParams.has('watch')) return json(res, 200, { metadata: { resourceVersion: '5' }, items: [managed('a', '3', 'x')] });
      streamEvents(res, [{ type: 'ADDED', object: managed('b', '6', 'x') }, { type: 'MODIFIED', object: managed('a', '7', 'y') }]);
    };
    informer = new Informer(client, configmaps, { transform: stripManagedFields });
    informer.addIndex('app', (o) => [o.metadata?.labels?.app ?? '']);
    const seen: KubeObject[] = [];
    informer.on('add', (o) => seen.push(o)).on('update', (_a, b) => seen.push(b));
    await informer.start();
    await eventually(() => informer!.get('ns/a')?.metadata?.resourceVersion === '7');
    expect(seen.map((o) => o.metadata?.managedFields)).toEqual([undefined, undefined, undefined]);
    expect(informer.get('ns/b')?.metadata?.managedFields).toBeUndefined();
    expect(informer.byIndex('app', 'x').map((o) => o.metadata?.name)).toEqual(['b']);
    expect(informer.byIndex('app', 'y').map((o) => o.metadata?.name)).toEqual(['a']);
  });

  it('re-lists when the watch request itself is answered 410 Gone', async () => {
    let listCount = 0;
    server.route = (req, res) => {
      if (!req.url.searchParams.has('watch')) {
        listCount++;
        json(res, 200, { metadata: { resourceVersion: String(listCount * 100) }, items: listCount === 1 ? [cm('a', '1')] : [] });
      } else if (req.url.searchParams.get('resourceVersion') === '100') {
        json(res, 410, status(410, 'Expired', 'too old'));
      } else streamEvents(res, []);
    };
    informer = new Informer(client, configmaps);
    record(informer);
    await informer.start();
    await eventually(() => log.includes('delete a'));
    expect(lists(server.requests).length).toBe(2);
    await eventually(() => watches(server.requests).length === 2);
    expect(watches(server.requests)[1].url.searchParams.get('resourceVersion')).toBe('200');
  });

  it('re-watches from the last seen resourceVersion when the server ends the watch cleanly', async () => {
    let watchCount = 0;
    server.route = (req, res) => {
      if (!req.url.searchParams.has('watch')) return json(res, 200, { metadata: { resourceVersion: '5' }, items: [] });
      watchCount++;
      if (watchCount === 1) {
        // a bookmark moves the resourceVersion forward although no object changed
        setTimeout(() => streamEvents(res, [
          { type: 'ADDED', object: cm('x', '6') },
          { type: 'BOOKMARK', object: { kind: 'ConfigMap', metadata: { resourceVersion: '9' } } },
        ], true), 1100);
      } else streamEvents(res, []);
    };
    informer = new Informer(client, configmaps);
    record(informer);
    await informer.start();
    await eventually(() => watches(server.requests).length === 2, 4000, 'the second watch');
    expect(watches(server.requests)[1].url.searchParams.get('resourceVersion')).toBe('9');
    expect(lists(server.requests).length).toBe(1);
    expect(log).toEqual(['add x@6']);
  });

  it('re-delivers update for every cached object on resync', async () => {
    server.route = (req, res) => {
      if (!req.url.searchParams.has('watch')) return json(res, 200, { metadata: { resourceVersion: '5' }, items: [cm('a', '1'), cm('b', '2')] });
      streamEvents(res, []);
    };
    informer = new Informer(client, configmaps, { resyncMs: 50 });
    record(informer);
    await informer.start();
    await eventually(() => log.filter((l) => l.startsWith('update')).length >= 4);
    expect(log).toContain('update a@1->1');
    expect(log).toContain('update b@2->2');
  });

  it('start() fails when the first list is refused for good (401)', async () => {
    server.route = (req, res) => json(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    informer = new Informer(client, configmaps);
    await expect(informer.start()).rejects.toMatchObject({ status: 401 });
  });

  it('keeps retrying the first list through server errors, and stop() ends the wait', async () => {
    server.route = (req, res) => json(res, 500, status(500, 'InternalError', 'store unavailable'));
    informer = new Informer(client, configmaps);
    const errors: Error[] = [];
    informer.on('error', (e) => errors.push(e));
    const started = informer.start();
    await eventually(() => errors.length >= 2, 3000, 'a retry');
    informer.stop();
    await expect(started).rejects.toThrow(/stopped/);
  });

  it('follows a paginated first list to the end', async () => {
    server.route = (req, res) => {
      if (req.url.searchParams.has('watch')) return streamEvents(res, []);
      if (!req.url.searchParams.get('continue')) json(res, 200, { metadata: { resourceVersion: '7', continue: 'p2' }, items: [cm('a', '1')] });
      else json(res, 200, { metadata: { resourceVersion: '7' }, items: [cm('b', '2')] });
    };
    informer = new Informer(client, configmaps, { pageSize: 1 });
    await informer.start();
    expect(informer.list().length).toBe(2);
    expect(lists(server.requests)[0].url.searchParams.get('limit')).toBe('1');
  });
});
