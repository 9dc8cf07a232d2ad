// A pod's ServiceAccount credentials on a real node: the agent projects the kube-api-access
// volume (a token it got from the TokenRequest API for the pod's ServiceAccount, bound to the
// pod; the cluster CA; the namespace) and the runc container reads it at
// /var/run/secrets/kubernetes.io/serviceaccount. The token authenticates as the pod's service
// account and names the pod and its node. The agent runs on its own node credential, as a joined
// node does, so the Node authorizer must let it ask for its pods' tokens.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node as K8sNode, Pod } from 'kubernetes-types/core/v1';
import { gvr } from '../../src-main/client/resources.ts';
import { ensureCA, ensureClientCert } from '../../src-main/auth/ca.ts';
import { startTestNode, type TestNode } from './harness/agent-node.ts';
import { waitFor, type TestCluster } from './harness/cluster.ts';

let node: TestNode;
let cluster: TestCluster;

beforeAll(async () => {
  node = await startTestNode('ksa', {
    agentKubeconfig: async (c) => {
      const pki = join(c.cp.dataDir, 'pki');
      const cert = await ensureClientCert(pki, await ensureCA(pki), 'test-ksa-node', 'CN=system:node:ksa-node, O=system:nodes');
      const b64 = (t: string) => Buffer.from(t).toString('base64');
      const file = join(c.cp.dataDir, 'ksa-node.kubeconfig');
      writeFileSync(file, JSON.stringify({
        apiVersion: 'v1', kind: 'Config', 'current-context': 'node',
        clusters: [{ name: 'c', cluster: { server: c.cp.url, 'certificate-authority-data': b64(c.cp.caPem) } }],
        users: [{ name: 'node', user: { 'client-certificate-data': b64(cert.certPem), 'client-key-data': b64(cert.keyPem) } }],
        contexts: [{ name: 'node', context: { cluster: 'c', user: 'node' } }],
      }), { mode: 0o600 });
      return file;
    },
  });
  cluster = node.cluster;
  await waitFor('the default ServiceAccount', () => cluster.client.get(gvr.serviceAccounts, 'default', 'default').then(() => true, () => false), 30_000);
}, 120_000);

afterAll(async () => {
  const left = await node?.stop();
  expect(left?.containers).toEqual([]);
  expect(left?.mounts).toEqual([]);
  expect(left?.netns).toEqual([]);
});

describe('the kube-api-access volume on a node', () => {
  it('gives the container a token of its ServiceAccount bound to the pod, the CA and the namespace', async () => {
    const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
    const script = `cat ${dir}/token; echo; echo NS=$(cat ${dir}/namespace); grep -c 'BEGIN CERTIFICATE' ${dir}/ca.crt; trap "exit 0" TERM; while true; do sleep 1; done`;
    await cluster.client.create(gvr.pods, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'reader', namespace: 'default' },
      spec: { nodeName: node.nodeName, terminationGracePeriodSeconds: 2, containers: [{ name: 'main', image: node.image, command: ['sh', '-c', script] }] },
    });
    const pod = await waitFor(`reader Running\n${cluster.logs.slice(-5).join('\n')}`, async () => {
      const p = await cluster.client.get<Pod>(gvr.pods, 'default', 'reader');
      return p.status?.phase === 'Running' && p;
    }, 90_000);
    const log = join(node.stateDir, 'logs', `default_reader_${pod.metadata!.uid}`, 'main', '0.log');
    const lines = await waitFor('the container printed its credentials', () => {
      const out = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => l.replace(/^\S+ stdout F /, ''));
      return out.length >= 3 && out;
    });
    const [token, ns, certs] = lines;
    expect(ns).toBe('NS=default');
    expect(Number(certs)).toBeGreaterThanOrEqual(1);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    const registered = await cluster.client.get<K8sNode>(gvr.nodes, undefined, node.nodeName);
    expect(claims).toMatchObject({
      sub: 'system:serviceaccount:default:default',
      aud: ['https://kubernetes.default.svc.cluster.local'],
      'kubernetes.io': { namespace: 'default', pod: { name: 'reader', uid: pod.metadata!.uid }, node: { name: node.nodeName, uid: registered.metadata!.uid } },
    });
    expect(claims.exp - claims.iat).toBe(3607);
    // The API takes it as the pod's service account.
    const review = await cluster.client.request<{ status: { authenticated: boolean; user: { username: string } } }>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token },
    });
    expect(review.status).toMatchObject({ authenticated: true, user: { username: 'system:serviceaccount:default:default' } });
    await cluster.client.delete(gvr.pods, 'default', 'reader');
    await waitFor('reader gone', () => cluster.client.get(gvr.pods, 'default', 'reader').then(() => false, () => true), 60_000);
    const after = await cluster.client.request<{ status: { authenticated: boolean } }>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token },
    });
    expect(after.status.authenticated).toBe(false);
  });
});
