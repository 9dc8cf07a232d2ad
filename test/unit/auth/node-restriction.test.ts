// NodeRestriction admission on its own: what a node (system:node:n1) may write in the bodies of
// Node, Pod, Lease and TokenRequest requests, with upstream's messages; other users pass.
import { describe, expect, it } from 'vitest';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { AdmissionAttributes } from '../../../src-main/api/admission/admission.ts';
import type { KubeObject } from '../../../src-main/api/resources/types.ts';
import { ApiError } from '../../../src-main/api/status.ts';
import { NodeRestriction } from '../../../src-main/auth/node/node-restriction.ts';
import { forbiddenNodeLabels } from '../../../src-main/auth/node/kubelet-labels.ts';

const n1 = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const alice = { name: 'alice', groups: ['system:authenticated'] };
const pod = (name: string, node: string, extra: Partial<Pod['metadata']> = {}): Pod => ({ metadata: { name, namespace: 'default', uid: `uid-${name}`, ...extra }, spec: { nodeName: node, containers: [] } });
const stored = new Map([['default/mine', pod('mine', 'n1')], ['default/theirs', pod('theirs', 'n2')]]);
const plugin = new NodeRestriction(async (ns, name) => stored.get(`${ns}/${name}`));

type Request = Omit<AdmissionAttributes, 'user' | 'obj' | 'old'> & { user?: AdmissionAttributes['user']; obj?: unknown; old?: unknown };
const attrs = (r: Request): AdmissionAttributes => ({ user: n1, ...r, obj: r.obj as KubeObject, old: r.old as KubeObject });

/** The refusal's message, or undefined when admitted. */
async function refusal(r: Request): Promise<string | undefined> {
  try {
    await plugin.validate(attrs(r));
    return undefined;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    expect(e.code === 403 || e.code === 404).toBe(true);
    return e.message;
  }
}

const node = (name: string, spec: Node['spec'] = {}, labels?: Record<string, string>): Node => ({ metadata: { name, labels }, spec });
const nodeWrite = (operation: 'CREATE' | 'UPDATE' | 'DELETE', name: string, obj?: Node, old?: Node): Request => ({ operation, group: '', resource: 'nodes', name, obj, old });

describe('NodeRestriction: nodes', () => {
  it('lets a node create, update and delete only its own Node', async () => {
    expect(await refusal(nodeWrite('CREATE', 'n1', node('n1')))).toBeUndefined();
    expect(await refusal(nodeWrite('CREATE', 'n2', node('n2')))).toBe('nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
    expect(await refusal(nodeWrite('UPDATE', 'n2', node('n2'), node('n2')))).toContain('is not allowed to modify node "n2"');
    expect(await refusal({ ...nodeWrite('UPDATE', 'n2', node('n2'), node('n2')), subresource: 'status' })).toContain('is not allowed to modify node "n2"');
    expect(await refusal(nodeWrite('DELETE', 'n2', undefined, node('n2')))).toContain('is not allowed to modify node "n2"');
    expect(await refusal(nodeWrite('DELETE', 'n1', undefined, node('n1')))).toBeUndefined();
  });

  it('refuses restricted labels on create and update, and allows the kubelet\'s own', async () => {
    const kubelet = { 'kubernetes.io/hostname': 'n1', 'kubernetes.io/arch': 'amd64', 'node.kubernetes.io/instance-type': 'x', 'kubelet.kubernetes.io/a': '1', 'example.com/x': 'y' };
    expect(await refusal(nodeWrite('CREATE', 'n1', node('n1', {}, kubelet)))).toBeUndefined();
    expect(await refusal(nodeWrite('CREATE', 'n1', node('n1', {}, { 'node-restriction.kubernetes.io/x': '1', 'node-role.kubernetes.io/control-plane': '' }))))
      .toBe('nodes "n1" is forbidden: node "n1" is not allowed to set the following labels: node-restriction.kubernetes.io/x, node-role.kubernetes.io/control-plane');
    const old = node('n1', {}, { 'example.com/a': '1', 'foo.k8s.io/b': '2' });
    expect(await refusal(nodeWrite('UPDATE', 'n1', node('n1', {}, { 'example.com/a': '2', 'foo.k8s.io/b': '2' }), old))).toBeUndefined();
    expect(await refusal(nodeWrite('UPDATE', 'n1', node('n1', {}, { 'example.com/a': '1' }), old))).toBe('nodes "n1" is forbidden: is not allowed to modify labels: foo.k8s.io/b');
  });

  it('keeps taints, ownerReferences and configSource from the node after it registered', async () => {
    const taint = { key: 'k', effect: 'NoSchedule' as const };
    expect(await refusal(nodeWrite('CREATE', 'n1', node('n1', { taints: [taint] })))).toBeUndefined();
    expect(await refusal(nodeWrite('UPDATE', 'n1', node('n1', {}), node('n1', { taints: [taint] })))).toBe('nodes "n1" is forbidden: node "n1" is not allowed to modify taints');
    expect(await refusal(nodeWrite('UPDATE', 'n1', node('n1', { taints: [] }), node('n1', {})))).toBeUndefined();
    const owned = { ...node('n1'), metadata: { name: 'n1', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u' }] } };
    expect(await refusal(nodeWrite('UPDATE', 'n1', owned, node('n1')))).toContain('is not allowed to modify ownerReferences');
    const config = { configMap: { name: 'c', namespace: 'kube-system', kubeletConfigKey: 'k' } };
    expect(await refusal(nodeWrite('CREATE', 'n1', node('n1', { configSource: config })))).toContain('is not allowed to create pods with a non-nil configSource');
    expect(await refusal(nodeWrite('UPDATE', 'n1', node('n1', { configSource: config }), node('n1')))).toContain('is not allowed to update configSource to a new non-nil configSource');
  });
});

describe('NodeRestriction: pods', () => {
  const podWrite = (operation: 'CREATE' | 'UPDATE' | 'DELETE', name: string, obj?: Pod, old?: Pod, subresource?: string): Request => ({ operation, group: '', resource: 'pods', subresource, namespace: 'default', name, obj, old });

  it('refuses every pod a node creates, mirror pods too (we run no static pods)', async () => {
    expect(await refusal(podWrite('CREATE', 'p', pod('p', 'n1'))))
      .toBe('pods "p" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods');
    const mirror = (n: string) => pod('m', n, { annotations: { 'kubernetes.io/config.mirror': 'x' } });
    expect(await refusal(podWrite('CREATE', 'm', mirror('n2')))).toContain('node "n1" can only create pods with spec.nodeName set to itself');
    expect(await refusal(podWrite('CREATE', 'm', mirror('n1')))).toContain('may not create mirror pods');
    expect(await refusal(podWrite('UPDATE', 'mine', pod('mine', 'n1'), pod('mine', 'n1')))).toContain('unexpected operation "UPDATE", node "n1" can only create and delete mirror pods');
    expect(await refusal(podWrite('CREATE', 'mine', {} as Pod, undefined, 'binding'))).toContain(`unexpected pod subresource "binding"`);
  });

  it('lets a node write only the status of its own pods, without their labels', async () => {
    const mine = pod('mine', 'n1', { labels: { app: 'a' } });
    const ready = { ...mine, status: { phase: 'Running' } };
    expect(await refusal(podWrite('UPDATE', 'mine', ready, mine, 'status'))).toBeUndefined();
    expect(await refusal(podWrite('UPDATE', 'theirs', pod('theirs', 'n2'), pod('theirs', 'n2'), 'status')))
      .toBe('pods "theirs" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself');
    expect(await refusal(podWrite('UPDATE', 'mine', { ...mine, metadata: { ...mine.metadata, labels: { app: 'b' } } }, mine, 'status')))
      .toBe('pods "mine" is forbidden: node "n1" cannot update labels through pod status');
    const claimed = { ...mine, status: { resourceClaimStatuses: [{ name: 'gpu', resourceClaimName: 'c2' }] } };
    expect(await refusal(podWrite('UPDATE', 'mine', claimed, mine, 'status'))).toContain('cannot update resource claim statues');
  });

  it('lets a node delete only pods bound to it', async () => {
    expect(await refusal(podWrite('DELETE', 'mine', undefined, pod('mine', 'n1')))).toBeUndefined();
    expect(await refusal(podWrite('DELETE', 'theirs', undefined, pod('theirs', 'n2')))).toBe('pods "theirs" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself');
  });
});

describe('NodeRestriction: leases and tokens', () => {
  const lease = (operation: 'CREATE' | 'UPDATE' | 'DELETE', namespace: string, name: string): Request => ({ operation, group: 'coordination.k8s.io', resource: 'leases', namespace, name, obj: { metadata: { name, namespace } } });

  it('lets a node write only its own Lease in kube-node-lease', async () => {
    for (const op of ['CREATE', 'UPDATE', 'DELETE'] as const) expect(await refusal(lease(op, 'kube-node-lease', 'n1'))).toBeUndefined();
    expect(await refusal(lease('CREATE', 'kube-node-lease', 'n2'))).toBe('leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node');
    expect(await refusal(lease('UPDATE', 'default', 'n1'))).toBe('leases.coordination.k8s.io "n1" is forbidden: can only access leases in the "kube-node-lease" system namespace');
  });

  it('issues a node tokens only bound to a pod running on it, named by uid', async () => {
    const token = (boundObjectRef?: object): Request => ({ operation: 'CREATE', group: '', resource: 'serviceaccounts', subresource: 'token', namespace: 'default', name: 'default', obj: { metadata: {}, spec: { boundObjectRef } } });
    const ref = (name: string, uid?: string) => ({ apiVersion: 'v1', kind: 'Pod', name, uid });
    expect(await refusal(token(ref('mine', 'uid-mine')))).toBeUndefined();
    expect(await refusal(token())).toBe('serviceaccounts "default" is forbidden: node requested token not bound to a pod');
    expect(await refusal(token({ apiVersion: 'v1', kind: 'Secret', name: 's', uid: 'u' }))).toContain('node requested token not bound to a pod');
    expect(await refusal(token(ref('mine')))).toContain('node requested token with a pod binding without a uid');
    expect(await refusal(token(ref('mine', 'old')))).toContain('the UID in the bound object reference (old) does not match the UID in record');
    expect(await refusal(token(ref('theirs', 'uid-theirs')))).toBe('serviceaccounts "default" is forbidden: node requested token bound to a pod scheduled on a different node');
    expect(await refusal(token(ref('gone', 'u')))).toBe('pods "gone" not found');
  });
});

describe('NodeRestriction: who it applies to', () => {
  it('passes other users, and refuses a node credential without a name', async () => {
    expect(await refusal({ ...nodeWrite('CREATE', 'n2', node('n2')), user: alice })).toBeUndefined();
    expect(await refusal({ ...nodeWrite('CREATE', 'n2', node('n2')), user: { name: 'system:node:', groups: ['system:nodes'] } })).toBe('nodes "n2" is forbidden: could not determine node from user "system:node:"');
    // In system:nodes but not named as a node: upstream's identifier does not take it for one.
    expect(await refusal({ ...nodeWrite('CREATE', 'n2', node('n2')), user: { name: 'bob', groups: ['system:nodes'] } })).toBeUndefined();
  });

  it('lists the restricted labels of a write sorted, and only those', () => {
    expect(forbiddenNodeLabels(['z.kubernetes.io/a', 'a.node-restriction.kubernetes.io/b', 'kubernetes.io/hostname', 'k8s.io/x', 'example.com/k8s.io', 'plain'])).toEqual(['a.node-restriction.kubernetes.io/b', 'k8s.io/x', 'z.kubernetes.io/a']);
  });
});
