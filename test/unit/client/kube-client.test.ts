import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, isNotFound } from '../../../src-main/client/api-error.ts';
import { KubeClient } from '../../../src-main/client/kube-client.ts';
import type { WatchEvent } from '../../../src-main/client/types.ts';
import { FakeServer, eventually, json, status } from './fake-server.ts';

const pods = { group: '', version: 'v1', resource: 'pods' };
const deployments = { group: 'apps', version: 'v1', resource: 'deployments' };
const namespaces = { group: '', version: 'v1', resource: 'namespaces' };

let server: FakeServer;
let client: KubeClient;

beforeEach(async () => {
  server = new FakeServer();
  client = new KubeClient({ server: await server.start(), token: 'secret-token' });
});

afterEach(async () => {
  client.close();
  await server.stop();
});

describe('KubeClient requests', () => {
  it('builds upstream paths for core, group, cluster-scoped and subresource requests', async () => {
    server.route = (req, res) => json(res, 200, { kind: 'X', metadata: { name: 'n' }, items: [] });
    await client.get(pods, 'default', 'web-1');
    await client.get(deployments, 'prod', 'web', 'scale');
    await client.get(namespaces, undefined, 'kube-system');
    await client.list(deployments, { namespace: 'prod', labelSelector: 'app in (a,b)', limit: 5, continue: 'tok' });
    await client.list(pods, {});
    expect(server.requests.map((r) => r.method + ' ' + r.url.pathname)).toEqual([
      'GET /api/v1/namespaces/default/pods/web-1',
      'GET /apis/apps/v1/namespaces/prod/deployments/web/scale',
      'GET /api/v1/namespaces/kube-system',
      'GET /apis/apps/v1/namespaces/prod/deployments',
      'GET /api/v1/pods',
    ]);
    const q = server.requests[3].url.searchParams;
    expect([q.get('labelSelector'), q.get('limit'), q.get('continue')]).toEqual(['app in (a,b)', '5', 'tok']);
  });

  it('sends the bearer token and JSON bodies; update and updateStatus PUT to the object', async () => {
    server.route = (req, res) => json(res, 201, JSON.parse(req.body));
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns1' } };
    const created = await client.create(pods, pod, { dryRun: true, fieldManager: 'me' });
    expect(created).toEqual(pod);
    await client.update(pods, { ...pod, metadata: { ...pod.metadata, resourceVersion: '7' } });
    await client.updateStatus(pods, pod);
    const [c, u, s] = server.requests;
    expect(c.headers.authorization).toBe('Bearer secret-token');
    expect(c.headers['content-type']).toBe('application/json');
    expect(`${c.method} ${c.url.pathname} ${c.url.search}`).toBe('POST /api/v1/namespaces/ns1/pods ?dryRun=All&fieldManager=me');
    expect(`${u.method} ${u.url.pathname}`).toBe('PUT /api/v1/namespaces/ns1/pods/p');
    expect(JSON.parse(u.body).metadata.resourceVersion).toBe('7');
    expect(`${s.method} ${s.url.pathname}`).toBe('PUT /api/v1/namespaces/ns1/pods/p/status');
  });

  it('sends each patch type with its content type; apply carries fieldManager and force', async () => {
    server.route = (req, res) => json(res, 200, {});
    await client.patch(deployments, 'd', 'web', { spec: { replicas: 2 } }, 'merge');
    await client.patch(deployments, 'd', 'web', [{ op: 'remove', path: '/x' }], 'json');
    await client.patch(deployments, 'd', 'web', { spec: {} }, 'strategic');
    await client.patch(deployments, 'd', 'web', { apiVersion: 'apps/v1' }, 'apply', { fieldManager: 'ctl', force: true });
    await client.patch(deployments, 'd', 'web', { spec: { replicas: 1 } }, 'merge', { subresource: 'scale' });
    expect(server.requests.map((r) => r.headers['content-type'])).toEqual([
      'application/merge-patch+json',
      'application/json-patch+json',
      'application/strategic-merge-patch+json',
      'application/apply-patch+yaml',
      'application/merge-patch+json',
    ]);
    expect(server.requests[3].url.search).toBe('?fieldManager=ctl&force=true');
    expect(JSON.parse(server.requests[1].body)).toEqual([{ op: 'remove', path: '/x' }]);
    expect(server.requests[4].url.pathname).toBe('/apis/apps/v1/namespaces/d/deployments/web/scale');
  });

  it('sends DeleteOptions in the delete body', async () => {
    server.route = (req, res) => json(res, 200, { kind: 'Status', status: 'Success' });
    await client.delete(pods, 'ns', 'p', { gracePeriodSeconds: 0, propagationPolicy: 'Foreground' });
    const r = server.requests[0];
    expect(r.method).toBe('DELETE');
    expect(JSON.parse(r.body)).toEqual({
      kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, propagationPolicy: 'Foreground',
    });
  });

  it('turns a Status answer into an ApiError with status, reason and body', async () => {
    server.route = (req, res) => json(res, 404, status(404, 'NotFound', 'pods "nope" not found'));
    const err = await client.get(pods, 'default', 'nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(isNotFound(err)).toBe(true);
    const e = err as ApiError;
    expect([e.status, e.reason, e.message, e.body.code]).toEqual([404, 'NotFound', 'pods "nope" not found', 404]);
  });

  it('makes an ApiError from a non-Status error body too', async () => {
    server.route = (req, res) => res.writeHead(503).end('upstream connect error');
    const e = (await client.list(pods).catch((x: unknown) => x)) as ApiError;
    expect([e.status, e.reason, e.message]).toEqual([503, 'InternalError', 'upstream connect error']);
  });

  it('reads server, token and CA from a kubeconfig', () => {
    const kc = `
apiVersion: v1
kind: Config
current-context: lab
clusters:
- name: c
  cluster: { server: "${client.server}", certificate-authority-data: ${Buffer.from('PEM').toString('base64')} }
users:
- name: u
  user: { token: tok }
contexts:
- name: other
  context: { cluster: missing, user: u }
- name: lab
  context: { cluster: c, user: u }
`;
    const c = KubeClient.fromKubeconfig(kc);
    expect(c.server).toBe(client.server);
    c.close();
    expect(() => KubeClient.fromKubeconfig(kc, 'other')).toThrow(/no cluster named "missing"/);
  });
});

describe('KubeClient.watch', () => {
  it('parses events written in awkward chunks and ends cleanly when the server ends the stream', async () => {
    const lines = [
      { type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '5' } } },
      { type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: '6' } } },
      { type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } },
    ].map((e) => JSON.stringify(e) + '\n').join('');
    server.route = (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      // three writes that split events mid-string, with pauses so they arrive as separate chunks
      const parts = [lines.slice(0, 17), lines.slice(17, 80), lines.slice(80)];
      let i = 0;
      const tick = (): void => {
        if (i < parts.length) {
          res.write(parts[i++]);
          setTimeout(tick, 20);
        } else res.end();
      };
      tick();
    };
    const got: WatchEvent[] = [];
    const done: (Error | undefined)[] = [];
    client.watch(pods, { namespace: 'ns', resourceVersion: '4', allowWatchBookmarks: true, timeoutSeconds: 30 },
      (e) => got.push(e), (err) => done.push(err));
    await eventually(() => done.length > 0);
    expect(got.map((e) => `${e.type} ${e.object.metadata?.resourceVersion}`)).toEqual(['ADDED 5', 'MODIFIED 6', 'BOOKMARK 9']);
    expect(done).toEqual([undefined]);
    const q = server.requests[0].url;
    expect(q.pathname).toBe('/api/v1/namespaces/ns/pods');
    expect(Object.fromEntries(q.searchParams)).toEqual({
      resourceVersion: '4', allowWatchBookmarks: 'true', timeoutSeconds: '30', watch: '1',
    });
  });

  it('reports a 410 answer as an ApiError through onDone', async () => {
    server.route = (req, res) => json(res, 410, status(410, 'Expired', 'too old resource version: 1 (50)'));
    let err: Error | undefined;
    let calls = 0;
    client.watch(pods, { resourceVersion: '1' }, () => undefined, (e) => { err = e; calls++; });
    await eventually(() => calls > 0);
    expect((err as ApiError).status).toBe(410);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(1);
  });

  it('stop() closes the connection and calls onDone once, without error', async () => {
    let closed = false;
    server.route = (req, res) => {
      res.writeHead(200);
      res.write(JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'x' } } }) + '\n');
      res.on('close', () => { closed = true; });
    };
    const done: (Error | undefined)[] = [];
    const events: WatchEvent[] = [];
    const w = client.watch(pods, {}, (e) => events.push(e), (e) => done.push(e));
    await eventually(() => events.length === 1);
    w.stop();
    w.stop();
    await eventually(() => closed, 3000, 'the server to see the connection close');
    expect(done).toEqual([undefined]);
  });

  it('reports a connection cut mid-event as an error', async () => {
    server.route = (req, res) => {
      res.writeHead(200);
      res.write('{"type":"ADDED","object":{"metadata":');
      setTimeout(() => res.destroy(), 20);
    };
    let err: Error | undefined;
    let calls = 0;
    client.watch(pods, {}, () => undefined, (e) => { err = e; calls++; });
    await eventually(() => calls > 0);
    expect(err).toBeInstanceOf(Error);
  });
});
