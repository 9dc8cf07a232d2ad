// A node's own credential (a client certificate system:node:<name>, O=system:nodes, from the
// cluster CA, as a join issues it) through kubectl 1.35: it reads the Secrets and ConfigMaps of
// pods bound to it and nothing else — another node's pod's secret is 403 with upstream's message —
// lists only its own pods, writes only its own Node, Lease and pods' status, and follows the
// Services and EndpointSlices its proxy needs. A pod bound later extends what it may read, a pod
// deleted takes it back.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gvr } from '../../src-main/client/resources.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';
import { nodeKubectl } from './harness/node-credential.ts';

let cluster: TestCluster;
let admin: Kubectl;
let n1: Kubectl;
const dir = mkdtempSync(join(tmpdir(), 'kubelab-node-authz-'));

function pod(name: string, node: string, secret: string, configMap: string) {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
    spec: {
      nodeName: node,
      volumes: [{ name: 's', secret: { secretName: secret } }],
      containers: [{ name: 'c', image: 'busybox', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: configMap, key: 'x' } } }], volumeMounts: [{ name: 's', mountPath: '/s' }] }],
    },
  };
}

beforeAll(async () => {
  cluster = await startTestCluster({ controllers: false });
  admin = new Kubectl('1.35', cluster.kubeconfigPath);
  for (const n of ['s1', 's2']) await admin.ok(['create', 'secret', 'generic', n, '--from-literal=k=v']);
  for (const n of ['c1', 'c2']) await admin.ok(['create', 'configmap', n, '--from-literal=x=1']);
  await cluster.client.create(gvr.pods, pod('on-n1', 'n1', 's1', 'c1') as never);
  await cluster.client.create(gvr.pods, pod('on-n2', 'n2', 's2', 'c2') as never);
  for (const n of ['n1', 'n2']) await cluster.client.create(gvr.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: n } } as never);
  n1 = await nodeKubectl(cluster, 'n1', dir);
  await waitFor('n1 sees its pod\'s secret', async () => (await n1.run(['get', 'secret', 's1'])).code === 0);
}, 60_000);

afterAll(async () => {
  await n1?.cleanup();
  await admin?.cleanup();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the node authorizer', () => {
  it('lets a node read the secrets and configmaps of its own pods only, with upstream\'s message otherwise', async () => {
    expect(await n1.ok(['get', 'secret', 's1', '-o', 'jsonpath={.data.k}'])).toBe(Buffer.from('v').toString('base64'));
    expect(await n1.ok(['get', 'configmap', 'c1', '-o', 'jsonpath={.data.x}'])).toBe('1');
    const other = await n1.run(['get', 'secret', 's2']);
    expect(other.code).toBe(1);
    expect(other.stderr.trim()).toBe(`Error from server (Forbidden): secrets "s2" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'n1' and this object`);
    expect((await n1.run(['get', 'configmap', 'c2'])).stderr).toContain('Forbidden');
    expect((await n1.run(['get', 'secrets'])).stderr).toContain('cannot list resource "secrets"');
  });

  it('lists only its own pods, and writes only its own Node, Lease and pods\' status', async () => {
    expect(await n1.ok(['get', 'pods', '--field-selector', 'spec.nodeName=n1', '-o', 'name'])).toBe('pod/on-n1\n');
    expect((await n1.run(['get', 'pods', '-A'])).stderr).toContain('Forbidden');
    expect((await n1.run(['get', 'pods', '--field-selector', 'spec.nodeName=n2'])).stderr).toContain('Forbidden');
    expect(await n1.ok(['get', 'pod', 'on-n1', '-o', 'name'])).toBe('pod/on-n1\n');
    expect((await n1.run(['get', 'pod', 'on-n2'])).stderr).toContain('Forbidden');
    const condition = JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'False' }] } });
    await n1.ok(['patch', 'pod', 'on-n1', '--subresource', 'status', '--type', 'strategic', '-p', condition]);
    expect((await n1.run(['patch', 'pod', 'on-n2', '--subresource', 'status', '--type', 'strategic', '-p', condition])).stderr).toContain('Forbidden');
    await n1.ok(['label', 'node', 'n1', 'mine=yes']);
    expect((await n1.run(['label', 'node', 'n2', 'mine=no'])).stderr).toContain('cannot patch resource "nodes"');
    expect((await n1.run(['delete', 'pod', 'on-n2', '--wait=false'])).stderr).toContain('Forbidden');
    const lease = (name: string) => JSON.stringify({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name } });
    writeFileSync(join(dir, 'lease-n1.json'), lease('n1'));
    writeFileSync(join(dir, 'lease-n2.json'), lease('n2'));
    await n1.ok(['create', '-f', join(dir, 'lease-n1.json')]);
    await n1.ok(['replace', '-f', join(dir, 'lease-n1.json')]);
    await admin.ok(['create', '-f', join(dir, 'lease-n2.json')]);
    expect((await n1.run(['replace', '-f', join(dir, 'lease-n2.json')])).stderr).toContain('Forbidden');
    // What its service proxy, DNS and routes follow.
    for (const what of ['services', 'endpointslices', 'nodes']) expect((await n1.run(['get', what, '-A'])).code).toBe(0);
    expect((await n1.run(['get', 'deployments'])).stderr).toContain('Forbidden');
  });

  it('follows the pods: bound later, a pod opens its secret to the node; deleted, it closes it again', async () => {
    await cluster.client.create(gvr.pods, pod('late', 'n1', 's2', 'c2') as never);
    await waitFor('s2 readable by n1', async () => (await n1.run(['get', 'secret', 's2'])).code === 0, 10_000);
    await cluster.client.delete(gvr.pods, 'default', 'late', { gracePeriodSeconds: 0 });
    await waitFor('s2 closed to n1 again', async () => (await n1.run(['get', 'secret', 's2'])).code !== 0, 10_000);
  });
});
