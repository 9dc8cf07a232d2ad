// The agent's token manager against a real API server: a projected token comes from the
// TokenRequest API bound to the pod, is kept until 80 % of its lifetime has passed and renewed
// after; with the API out of reach a still-valid token stays in use, an expired one does not.
// And a projected volume whose refresh cannot be had keeps what it holds.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src-main/client/kube-client.ts';
import { gvr } from '../../src-main/client/resources.ts';
import { ServiceAccountTokenManager } from '../../src-main/agent/volumes/token-manager.ts';
import { PodVolumes, type VolumeSources } from '../../src-main/agent/volumes/pod-volumes.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';

let cluster: TestCluster;
let pod: Pod;
let dir: string;
// A client for a port nobody listens on: the API out of reach.
const unreachable = new KubeClient({ server: 'https://127.0.0.1:1', token: 'x' });

beforeAll(async () => {
  cluster = await startTestCluster();
  dir = mkdtempSync(join(tmpdir(), 'kubelab-tokens-'));
  await waitFor('the default ServiceAccount', () => cluster.client.get(gvr.serviceAccounts, 'default', 'default').then(() => true, () => false), 30_000);
  pod = await cluster.client.create<Pod>(gvr.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
}, 60_000);

afterAll(async () => {
  unreachable.close();
  rmSync(dir, { recursive: true, force: true });
  await cluster?.stop();
});

const jti = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).jti as string;

describe('the service-account token manager', () => {
  it('keeps a token until 80 % of its lifetime, then asks for a new one; offline, a valid one stays', async () => {
    let now = Date.now();
    let down = false;
    const client = { request: <R>(method: string, path: string, body?: unknown) => (down ? unreachable : cluster.client).request<R>(method, path, body) };
    const tokens = new ServiceAccountTokenManager(client, () => now);
    const projection = { path: 'token', expirationSeconds: 1000 };
    const first = await tokens.token(pod, projection);
    expect(JSON.parse(Buffer.from(first.split('.')[1], 'base64url').toString())['kubernetes.io'].pod).toEqual({ name: 'p', uid: pod.metadata!.uid });
    const due = tokens.refreshDue(pod.metadata!.uid!)!;
    expect(Math.abs(due - (now + 800_000))).toBeLessThan(2000);
    now += 790_000;
    expect(await tokens.token(pod, projection)).toBe(first);
    now += 20_000;
    const second = await tokens.token(pod, projection);
    expect(jti(second)).not.toBe(jti(first));
    // Due again, but the API is away: the held token is still valid, so it is used.
    now = tokens.refreshDue(pod.metadata!.uid!)! + 1000;
    down = true;
    expect(await tokens.token(pod, projection)).toBe(second);
    // Once it has expired, there is nothing to give.
    now += 1000_000;
    await expect(tokens.token(pod, projection)).rejects.toThrow();
  });

  it('a projected volume whose refresh fails keeps its content; a first set-up must succeed', async () => {
    const volumes = new PodVolumes(join(dir, 'pods'));
    let fail = false;
    const sources: VolumeSources = {
      configMap: async () => (fail ? Promise.reject(new Error('API away')) : { data: { 'ca.crt': 'CA' } }),
      secret: async () => undefined,
      serviceAccountToken: async () => (fail ? Promise.reject(new Error('API away')) : 'tok'),
      allocatable: {},
    };
    const p: Pod = { ...pod, spec: { ...pod.spec!, volumes: [{ name: 'api', projected: { defaultMode: 0o644, sources: [
      { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
    ] } }] } };
    const [mounted] = await volumes.setUp(p, sources);
    expect(mounted.hostPath).toContain('kubernetes.io~projected');
    const read = (f: string) => readFileSync(join(mounted.hostPath, f), 'utf8');
    expect([read('token'), read('ca.crt'), read('namespace')]).toEqual(['tok', 'CA', 'default']);
    fail = true;
    await volumes.setUp(p, sources);
    expect(read('token')).toBe('tok');
    await expect(volumes.setUp({ ...p, metadata: { ...p.metadata, uid: 'other' } }, sources)).rejects.toThrow('API away');
    await volumes.tearDown(pod.metadata!.uid!);
    await volumes.tearDown('other');
    expect(existsSync(join(dir, 'pods', pod.metadata!.uid!))).toBe(false);
  });
});
