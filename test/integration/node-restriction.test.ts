// NodeRestriction admission through kubectl 1.35 with a node's own certificate (system:node:n1):
// what the node authorizer lets a node write, the admission checks in the body — only its own
// Node, without restricted labels or changed taints; only its own Lease; tokens only bound to a
// pod on it — with upstream's messages, and nothing is stored. Where the authorizer already
// refuses (another node's pod), the test says which layer answers. Other users pass untouched.
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
const dir = mkdtempSync(join(tmpdir(), 'kubelab-node-restriction-'));

const pod = (name: string, node: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] } });

/** Writes obj to a file for `kubectl create -f`. */
function manifest(name: string, obj: object): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(obj));
  return path;
}

/** kubectl's error line for a refused request. */
async function refused(k: Kubectl, args: string[]): Promise<string> {
  const r = await k.run(args);
  expect(r.code, r.stdout).not.toBe(0);
  return r.stderr.trim();
}

beforeAll(async () => {
  cluster = await startTestCluster({ controllers: false });
  admin = new Kubectl('1.35', cluster.kubeconfigPath);
  if ((await admin.run(['get', 'serviceaccount', 'default'])).code !== 0) await admin.ok(['create', 'serviceaccount', 'default']);
  for (const [name, node] of [['on-n1', 'n1'], ['doomed', 'n1'], ['on-n2', 'n2']]) await cluster.client.create(gvr.pods, pod(name, node) as never);
  n1 = await nodeKubectl(cluster, 'n1', dir);
  await waitFor('the node graph has n1\'s pods', async () => (await n1.run(['get', 'pod', 'doomed'])).code === 0);
}, 60_000);

afterAll(async () => {
  await n1?.cleanup();
  await admin?.cleanup();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('NodeRestriction on a node\'s Node', () => {
  it('registers only the Node named after itself', async () => {
    expect(await refused(n1, ['create', '-f', manifest('node-n2', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2' } })]))
      .toContain('nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
    expect((await admin.run(['get', 'node', 'n2'])).stderr).toContain('NotFound');
    const own = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', 'kubernetes.io/os': 'linux' } } };
    expect(await refused(n1, ['create', '-f', manifest('node-n1-restricted', { ...own, metadata: { ...own.metadata, labels: { 'node-role.kubernetes.io/control-plane': '' } } })]))
      .toContain('nodes "n1" is forbidden: node "n1" is not allowed to set the following labels: node-role.kubernetes.io/control-plane');
    await n1.ok(['create', '-f', manifest('node-n1', own)]);
  });

  it('may not give itself restricted labels, but labels of its own domain', async () => {
    expect(await refused(n1, ['label', 'node', 'n1', 'node-restriction.kubernetes.io/x=1']))
      .toBe('Error from server (Forbidden): nodes "n1" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/x');
    expect(await admin.ok(['get', 'node', 'n1', '-o', 'jsonpath={.metadata.labels}'])).not.toContain('node-restriction');
    await n1.ok(['label', 'node', 'n1', 'example.com/x=1']);
    expect(await admin.ok(['get', 'node', 'n1', '-o', 'jsonpath={.metadata.labels.example\\.com/x}'])).toBe('1');
    // The admin is no node: the label that steers workloads is theirs to set.
    await admin.ok(['label', 'node', 'n1', 'node-restriction.kubernetes.io/x=1']);
    // Unchanged, the admin's label does not stop the node's other label writes.
    await n1.ok(['label', 'node', 'n1', 'example.com/y=2']);
  });

  it('may not change its taints once registered (only admission catches it)', async () => {
    await admin.ok(['taint', 'node', 'n1', 'dedicated=lab:NoSchedule']);
    expect(await refused(n1, ['taint', 'node', 'n1', 'dedicated-'])).toBe('Error from server (Forbidden): nodes "n1" is forbidden: node "n1" is not allowed to modify taints');
    expect(await refused(n1, ['taint', 'node', 'n1', 'mine=yes:NoSchedule'])).toContain('node "n1" is not allowed to modify taints');
    expect(await admin.ok(['get', 'node', 'n1', '-o', 'jsonpath={.spec.taints[*].key}'])).toBe('dedicated');
  });
});

describe('NodeRestriction on pods, leases and tokens', () => {
  it('refuses a node\'s pods and other nodes\' pods (the node authorizer answers first: kubectl reads before it patches)', async () => {
    const created = await refused(n1, ['create', '-f', manifest('pod-by-n1', pod('by-n1', 'n1'))]);
    expect(created).toContain('pods is forbidden: User "system:node:n1" cannot create resource "pods" in API group "" in the namespace "default"');
    expect((await admin.run(['get', 'pod', 'by-n1'])).stderr).toContain('NotFound');
    const status = JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'False' }] } });
    expect(await refused(n1, ['patch', 'pod', 'on-n2', '--subresource', 'status', '--type', 'strategic', '-p', status]))
      .toBe('Error from server (Forbidden): pods "on-n2" is forbidden: User "system:node:n1" cannot get resource "pods/status" in API group "" in the namespace "default": no relationship found between node \'n1\' and this object');
    expect(await refused(n1, ['delete', 'pod', 'on-n2', '--wait=false'])).toContain('pods "on-n2" is forbidden: User "system:node:n1" cannot delete resource "pods"');
    await n1.ok(['patch', 'pod', 'on-n1', '--subresource', 'status', '--type', 'strategic', '-p', status]);
    await n1.ok(['delete', 'pod', 'doomed', '--grace-period=0', '--force']);
    expect((await admin.run(['get', 'pod', 'doomed'])).stderr).toContain('NotFound');
  });

  it('lets a node write only its own Lease', async () => {
    const lease = (name: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name } });
    expect(await refused(n1, ['create', '-f', manifest('lease-n2', lease('n2'))]))
      .toContain('leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node');
    expect((await admin.run(['get', 'lease', '-n', 'kube-node-lease', 'n2'])).stderr).toContain('NotFound');
    await n1.ok(['create', '-f', manifest('lease-n1', lease('n1'))]);
  });

  it('issues a node tokens only bound, by uid, to a pod running on it', async () => {
    const uid = async (name: string) => admin.ok(['get', 'pod', name, '-o', 'jsonpath={.metadata.uid}']);
    const bound = (name: string, podUID: string) => ['create', 'token', 'default', '--bound-object-kind', 'Pod', '--bound-object-name', name, '--bound-object-uid', podUID];
    expect(await refused(n1, bound('on-n2', await uid('on-n2'))))
      .toBe('error: failed to create token: serviceaccounts "default" is forbidden: node requested token bound to a pod scheduled on a different node');
    expect(await refused(n1, ['create', 'token', 'default'])).toContain('serviceaccounts "default" is forbidden: node requested token not bound to a pod');
    expect(await refused(n1, bound('on-n1', 'not-its-uid'))).toContain('the UID in the bound object reference (not-its-uid) does not match the UID in record');
    expect((await n1.ok(bound('on-n1', await uid('on-n1')))).trim().split('.')).toHaveLength(3);
  });
});
