// The API's semantics as a client sees them, against a real control plane (in this process, on
// HTTPS): optimistic concurrency, selectors, paging, watch, dryRun, finalizers, graceful
// deletion, subresources, validation, namespaces, authentication and server-side tables.
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../src-main/control-plane.ts';
import { ApiError, type KubeClient } from '../../src-main/client/index.ts';
import type { KubeObject } from '../../src-main/client/types.ts';
import type { Pod } from 'kubernetes-types/core/v1';

const cms = { group: '', version: 'v1', resource: 'configmaps' };
const pods = { group: '', version: 'v1', resource: 'pods' };
const namespaces = { group: '', version: 'v1', resource: 'namespaces' };
const deployments = { group: 'apps', version: 'v1', resource: 'deployments' };

let dir: string;
let cp: ControlPlane;
let client: KubeClient;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: () => Record<string, any>;
}

function raw(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; token?: string | null } = {}): Promise<Answer> {
  const url = new URL(path, cp.url);
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  if (opts.token !== null) headers.Authorization = `Bearer ${opts.token ?? cp.adminToken}`;
  const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  if (body !== undefined) headers['Content-Type'] ??= 'application/json';
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ca: cp.caPem }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function configMap(name: string, labels: Record<string, string> = {}, data: Record<string, string> = { k: 'v' }): KubeObject & { data: Record<string, string> } {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels }, data };
}

function pod(name: string, ns = 'default'): KubeObject & { spec: { containers: Record<string, string>[] } } {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } };
}

async function apiError(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected the request to fail');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubelab-api-'));
  cp = await startControlPlane({ dataDir: dir, port: 0, address: '127.0.0.1', log: () => {} });
  client = cp.client;
});

afterAll(async () => {
  await cp?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('create and update', () => {
  it('fills generateName, uid, creationTimestamp and a growing numeric resourceVersion', async () => {
    const a = await client.create<KubeObject>(cms, { ...configMap(''), metadata: { generateName: 'gen-', namespace: 'default' } });
    const b = await client.create(cms, configMap('plain'));
    expect(a.metadata!.name).toMatch(/^gen-[a-z0-9]{5}$/);
    expect(a.metadata!.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.metadata!.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(b.metadata!.resourceVersion)).toBeGreaterThan(Number(a.metadata!.resourceVersion));
    expect((await apiError(client.create(cms, configMap('plain')))).status).toBe(409);
  });

  it('refuses an update with a stale resourceVersion (409) and takes one without', async () => {
    const created = await client.create(cms, configMap('cas'));
    const first = await client.update(cms, { ...created, data: { k: 'one' } });
    const stale = await apiError(client.update(cms, { ...created, data: { k: 'two' } }));
    expect(stale.status).toBe(409);
    expect(stale.reason).toBe('Conflict');
    expect(stale.message).toContain('the object has been modified');
    const { resourceVersion: _rv, ...meta } = first.metadata!;
    const unconditional = await client.update(cms, { ...first, metadata: meta, data: { k: 'three' } });
    expect(unconditional.data).toEqual({ k: 'three' });
  });

  it('writes nothing for dryRun=All', async () => {
    const before = cp.store.revision();
    const res = await raw('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', { body: configMap('dry') });
    expect(res.status).toBe(201);
    expect(res.json().metadata.name).toBe('dry');
    expect((await apiError(client.get(cms, 'default', 'dry'))).status).toBe(404);
    expect(cp.store.revision()).toBe(before);
  });

  it('answers 422 naming the field, and writes nothing', async () => {
    const bad = pod('noimage');
    delete (bad.spec.containers[0] as { image?: string }).image;
    const before = cp.store.revision();
    const res = await raw('POST', '/api/v1/namespaces/default/pods', { body: bad });
    expect(res.status).toBe(422);
    const status = res.json();
    expect(status.reason).toBe('Invalid');
    expect(status.details.causes).toContainEqual({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' });
    expect(status.message).toBe('Pod "noimage" is invalid: spec.containers[0].image: Required value');
    expect(cp.store.revision()).toBe(before);
  });

  it('honours fieldValidation: Strict refuses unknown fields, Warn warns and drops them', async () => {
    const body = { ...configMap('strict'), bogus: 1 };
    const strict = await raw('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', { body });
    expect(strict.status).toBe(400);
    expect(strict.json().message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"');
    const warn = await raw('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Warn', { body });
    expect(warn.status).toBe(201);
    expect(warn.headers.warning).toContain('unknown field \\"bogus\\"');
    expect(warn.json().bogus).toBeUndefined();
  });

  it('refuses a body over 3 MiB with 413 and writes nothing', async () => {
    const before = cp.store.revision();
    const res = await raw('POST', '/api/v1/namespaces/default/configmaps', { body: configMap('huge', {}, { k: 'x'.repeat(4 * 1024 * 1024) }) });
    expect(res.status).toBe(413);
    expect(res.json()).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge', code: 413 });
    expect(cp.store.revision()).toBe(before);
  });

  it('finds a duplicate field in a compact body whose fields are all known', async () => {
    const body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"twice","namespace":"default"},"data":{"k":"a"},"data":{"k":"b"}}';
    const strict = await raw('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', { body });
    expect(strict.status).toBe(400);
    expect(strict.json().message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "data"');
    const warn = await raw('POST', '/api/v1/namespaces/default/configmaps', { body });
    expect(warn.status).toBe(201);
    expect(warn.headers.warning).toContain('duplicate field \\"data\\"');
  });

  it('bumps generation only when the spec changes, and keeps status out of main updates', async () => {
    const d = await client.create<KubeObject>(deployments, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'gen', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'gen' } }, template: { metadata: { labels: { app: 'gen' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    } as KubeObject);
    expect(d.metadata!.generation).toBe(1);
    const withStatus = await client.updateStatus(deployments, { ...d, status: { replicas: 7 } });
    expect(withStatus.metadata!.generation).toBe(1);
    const labelled = await client.update(deployments, { ...withStatus, metadata: { ...withStatus.metadata, labels: { a: 'b' } }, status: { replicas: 1 } });
    expect(labelled.metadata!.generation).toBe(1);
    expect((labelled as { status?: { replicas?: number } }).status?.replicas).toBe(7);
    const scaled = await client.patch(deployments, 'default', 'gen', { spec: { replicas: 4 } }, 'merge');
    expect(scaled.metadata!.generation).toBe(2);
    const scale = await raw('GET', '/apis/apps/v1/namespaces/default/deployments/gen/scale');
    expect(scale.json()).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 4 }, status: { replicas: 7, selector: 'app=gen' } });
    const rescaled = await raw('PATCH', '/apis/apps/v1/namespaces/default/deployments/gen/scale', { body: { spec: { replicas: 2 } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
    expect(rescaled.json().spec.replicas).toBe(2);
    expect((await client.get(deployments, 'default', 'gen') as { spec: { replicas: number } }).spec.replicas).toBe(2);
  });
});

describe('list and watch', () => {
  beforeAll(async () => {
    for (let i = 0; i < 25; i++) await client.create(cms, configMap(`page-${String(i).padStart(2, '0')}`, { tier: i % 2 ? 'odd' : 'even', page: 'yes' }));
  });

  it('selects by label with every operator and by field', async () => {
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await client.list(cms, { namespace: 'default', labelSelector, fieldSelector })).items.map((i) => i.metadata!.name);
    expect(await names('tier=odd')).toHaveLength(12);
    expect(await names('tier in (odd,even),page')).toHaveLength(25);
    expect(await names('page,tier notin (odd)')).toHaveLength(13);
    expect(await names('!page')).not.toContain('page-00');
    expect(await names(undefined, 'metadata.name=page-03')).toEqual(['page-03']);
    expect(await names('tier=even', 'metadata.name!=page-00')).toHaveLength(12);
    expect((await apiError(client.list(cms, { fieldSelector: 'data.k=v' }))).status).toBe(400);
    expect((await apiError(client.list(cms, { labelSelector: 'a in b' }))).status).toBe(400);
  });

  it('pages with limit/continue at one revision: each object once, later writes not mixed in', async () => {
    const seen: string[] = [];
    let cont: string | undefined;
    let first = true;
    do {
      const page = await client.list(cms, { namespace: 'default', labelSelector: 'page=yes', limit: 7, continue: cont });
      seen.push(...page.items.map((i) => i.metadata!.name!));
      cont = page.metadata.continue || undefined;
      if (first) await client.create(cms, configMap('page-zz-late', { page: 'yes' }));
      first = false;
    } while (cont);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect(seen).not.toContain('page-zz-late');
    expect((await apiError(client.list(cms, { continue: 'garbage' }))).status).toBe(400);
    const future = await raw('GET', `/api/v1/namespaces/default/configmaps?resourceVersion=${cp.store.revision() + 1000}&resourceVersionMatch=Exact`);
    expect(future.status).toBe(504);
    expect(future.json().details.causes[0].reason).toBe('ResourceVersionTooLarge');
  });

  it('watches from a resourceVersion; an object leaving the selector is DELETED for that watcher', async () => {
    const list = await client.list(cms, { namespace: 'default' });
    const events: string[] = [];
    const done = new Promise<void>((resolve) => {
      const w = client.watch(cms, { namespace: 'default', labelSelector: 'watch=me', resourceVersion: list.metadata.resourceVersion }, (e) => {
        events.push(`${e.type} ${(e.object as { metadata?: { name?: string } }).metadata?.name}`);
        if (events.length === 4) w.stop();
      }, () => resolve());
    });
    const c = await client.create(cms, configMap('watched', { watch: 'me' }));
    await client.update(cms, { ...c, data: { k: 'changed' } });
    await client.patch(cms, 'default', 'watched', { metadata: { labels: { watch: 'no' } } }, 'merge');
    await client.patch(cms, 'default', 'watched', { metadata: { labels: { watch: 'me' } } }, 'merge');
    await done;
    expect(events).toEqual(['ADDED watched', 'MODIFIED watched', 'DELETED watched', 'ADDED watched']);
  });

  it('answers a watch from a compacted revision with a 410 Expired event', async () => {
    const old = Number((await client.list(cms, { namespace: 'default' })).metadata.resourceVersion);
    await client.create(cms, configMap('compact-1'));
    await cp.store.compact(cp.store.revision());
    const res = await raw('GET', `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${old}`);
    const event = JSON.parse(res.body.split('\n')[0]);
    expect(event.type).toBe('ERROR');
    expect(event.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
  });

  it('sends initial events and a bookmark for sendInitialEvents (watch-list)', async () => {
    const res = await raw('GET', '/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&labelSelector=tier%3Dodd&timeoutSeconds=1');
    const lines = res.body.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'ADDED')).toHaveLength(12);
    expect(lines.at(-1)).toMatchObject({ type: 'BOOKMARK', object: { metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } } });
  });

  it('prints tables with upstream columns for kubectl', async () => {
    await client.create(pods, pod('tabled'));
    const res = await raw('GET', '/api/v1/namespaces/default/pods', { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io, application/json' } });
    const t = res.json();
    expect(t.kind).toBe('Table');
    expect(t.columnDefinitions.map((c: { name: string; priority: number }) => `${c.name}:${c.priority}`).slice(0, 7)).toEqual(['Name:0', 'Ready:0', 'Status:0', 'Restarts:0', 'Age:0', 'IP:1', 'Node:1']);
    const row = t.rows.find((r: { cells: unknown[] }) => r.cells[0] === 'tabled');
    expect(row.cells.slice(0, 4)).toEqual(['tabled', '0/1', 'Pending', '0']);
    expect(row.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'tabled' } });
  });
});

describe('delete', () => {
  it('keeps an object with finalizers until the last one is removed', async () => {
    await client.create(cms, { ...configMap('fin'), metadata: { name: 'fin', namespace: 'default', finalizers: ['example.com/hold'] } });
    await client.delete(cms, 'default', 'fin');
    const held = await client.get(cms, 'default', 'fin');
    expect(held.metadata!.deletionTimestamp).toBeDefined();
    await client.patch(cms, 'default', 'fin', { metadata: { finalizers: null } }, 'merge');
    expect((await apiError(client.get(cms, 'default', 'fin'))).status).toBe(404);
  });

  it('binds as upstream: node, annotations and PodScheduled=True, with no managedFields entry for the binder', async () => {
    // Another scheduler's pod: the cluster's own scheduler leaves it alone.
    const unscheduled = pod('bind-meta');
    (unscheduled.spec as { schedulerName?: string }).schedulerName = 'test-binder';
    const created = await client.create(pods, unscheduled);
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bind-meta', annotations: { 'example.com/by': 'test' } }, target: { kind: 'Node', name: 'node-b' } };
    expect((await raw('POST', '/api/v1/namespaces/default/pods/bind-meta/binding?fieldManager=binder', { body: binding })).status).toBe(201);
    const bound = (await client.get(pods, 'default', 'bind-meta')) as Pod;
    expect(bound.spec!.nodeName).toBe('node-b');
    expect(bound.metadata!.annotations).toEqual({ 'example.com/by': 'test' });
    expect(bound.status!.conditions).toEqual([{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: expect.stringMatching(/Z$/) }]);
    expect(bound.metadata!.managedFields).toEqual(created.metadata!.managedFields);
    const noTarget = await raw('POST', '/api/v1/namespaces/default/pods/bind-meta/binding', { body: { ...binding, target: {} } });
    expect(noTarget.status).toBe(422);
  });

  it('binds a pod once, then deletes it gracefully until a zero grace period', async () => {
    await client.create(pods, pod('bound'));
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bound' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-a' } };
    expect((await raw('POST', '/api/v1/namespaces/default/pods/bound/binding', { body: binding })).status).toBe(201);
    expect((await raw('POST', '/api/v1/namespaces/default/pods/bound/binding', { body: binding })).status).toBe(409);
    expect(((await client.get(pods, 'default', 'bound')) as { spec: { nodeName: string } }).spec.nodeName).toBe('node-a');
    await client.delete(pods, 'default', 'bound');
    const terminating = await client.get(pods, 'default', 'bound');
    expect(terminating.metadata!.deletionGracePeriodSeconds).toBe(30);
    await client.delete(pods, 'default', 'bound', { gracePeriodSeconds: 0 });
    expect((await apiError(client.get(pods, 'default', 'bound'))).status).toBe(404);
    const log = await raw('GET', '/api/v1/namespaces/default/pods/tabled/log');
    expect(log.status).toBe(400);
    expect(log.json().message).toContain('does not have a host assigned');
  });

  it('deletes a collection by label selector only', async () => {
    for (const n of ['dc-1', 'dc-2']) await client.create(cms, configMap(n, { dc: 'yes' }));
    await client.create(cms, configMap('dc-keep', { dc: 'no' }));
    await client.deleteCollection(cms, { namespace: 'default', labelSelector: 'dc=yes' });
    const left = (await client.list(cms, { namespace: 'default', labelSelector: 'dc' })).items.map((i) => i.metadata!.name);
    expect(left).toEqual(['dc-keep']);
  });

  it('terminates a namespace: refuses new content, deletes what is in it, then goes', async () => {
    await client.create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    await client.create(cms, { ...configMap('inside'), metadata: { name: 'inside', namespace: 'doomed' } });
    await client.create(pods, pod('inside', 'doomed'));
    await client.delete(namespaces, undefined, 'doomed');
    const refused = await raw('POST', '/api/v1/namespaces/doomed/configmaps', { body: { ...configMap('late'), metadata: { name: 'late', namespace: 'doomed' } } });
    if (refused.status !== 404) expect(refused.status).toBe(403);
    for (let i = 0; i < 100; i++) {
      try {
        await client.get(namespaces, undefined, 'doomed');
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) break;
        throw e;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await apiError(client.get(namespaces, undefined, 'doomed'))).status).toBe(404);
    expect((await client.list(cms, { namespace: 'doomed' })).items).toEqual([]);
    expect((await raw('DELETE', '/api/v1/namespaces/kube-system')).status).toBe(403);
  });
});

describe('the front door', () => {
  it('answers 401 without a valid token, but /version to anyone', async () => {
    const none = await raw('GET', '/api/v1/namespaces', { token: null });
    expect(none.status).toBe(401);
    expect(none.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    expect((await raw('GET', '/api/v1/namespaces', { token: 'wrong' })).status).toBe(401);
    expect((await raw('GET', '/version', { token: null })).json().major).toBe('1');
  });

  it('serves discovery with short names, categories and the scale subresource', async () => {
    const core = (await raw('GET', '/api/v1')).json();
    expect(core.resources.find((r: { name: string }) => r.name === 'pods')).toMatchObject({ shortNames: ['po'], categories: ['all'], kind: 'Pod' });
    const apps = (await raw('GET', '/apis/apps/v1')).json();
    expect(apps.resources.find((r: { name: string }) => r.name === 'deployments/scale')).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    const groups = (await raw('GET', '/apis')).json();
    expect(groups.groups.find((g: { name: string }) => g.name === 'autoscaling').preferredVersion.version).toBe('v2');
    expect((await raw('GET', '/apis/batch/v1beta1')).status).toBe(404);
    expect((await raw('GET', '/api/v1/widgets')).status).toBe(404);
  });

  it('converts between served versions (HPA autoscaling/v1 and v2 are one object)', async () => {
    const v1 = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'hpa', namespace: 'default' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gen' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 60 },
    };
    expect((await raw('POST', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers', { body: v1 })).status).toBe(201);
    const v2 = (await raw('GET', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/hpa')).json();
    expect(v2.apiVersion).toBe('autoscaling/v2');
    expect(v2.spec.metrics[0].resource).toEqual({ name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } });
    const back = (await raw('GET', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers')).json();
    expect(back.items[0].spec.targetCPUUtilizationPercentage).toBe(60);
  });
});

describe('events in two groups', () => {
  it('serves one Event through v1 and events.k8s.io/v1 with the renamed fields', async () => {
    const core = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'ev1', namespace: 'default' },
      // a pod no other test creates: the scheduler records events about real pods
      involvedObject: { kind: 'Pod', name: 'event-subject', namespace: 'default' },
      reason: 'Started',
      message: 'hello',
      type: 'Normal',
      source: { component: 'kubelet' },
      count: 2,
    };
    expect((await raw('POST', '/api/v1/namespaces/default/events', { body: core })).status).toBe(201);
    const v1 = (await raw('GET', '/apis/events.k8s.io/v1/namespaces/default/events/ev1')).json();
    expect(v1).toMatchObject({ apiVersion: 'events.k8s.io/v1', kind: 'Event', regarding: { kind: 'Pod', name: 'event-subject' }, note: 'hello', deprecatedSource: { component: 'kubelet' }, deprecatedCount: 2 });
    expect(v1.message).toBeUndefined();
    const byRegarding = (await raw('GET', '/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name%3Devent-subject')).json();
    expect(byRegarding.items.map((e: { metadata: { name: string } }) => e.metadata.name)).toEqual(['ev1']);
    const created = await raw('POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
      body: { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'ev2', namespace: 'default' }, regarding: { kind: 'Pod', name: 'x', namespace: 'default' }, reason: 'Pulled', note: 'new style', type: 'Normal' },
    });
    expect(created.status).toBe(201);
    const asCore = (await raw('GET', '/api/v1/namespaces/default/events/ev2')).json();
    expect(asCore).toMatchObject({ apiVersion: 'v1', involvedObject: { name: 'x' }, message: 'new style' });
  });
});
