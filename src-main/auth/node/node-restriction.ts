// NodeRestriction admission, as upstream's: what a node's credential (system:node:<name>) may
// write in the bodies of the requests the node authorizer lets through. Its own Node only, with
// no labels it may not set (kubelet-labels.ts) and its taints, ownerReferences and configSource
// left to the admin; no pods (we run no static pods, so no mirror pods either); only the status
// of pods bound to it, without touching their labels; deletes of its own pods; its own Lease;
// service-account tokens only bound to a pod running on it. Other users pass untouched.
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { AdmissionAttributes, AdmissionPlugin } from '../../api/admission/admission.ts';
import { refused } from '../../api/admission/admission.ts';
import { deepEqual } from '../../api/handlers/strategy.ts';
import { notFound } from '../../api/status.ts';
import { nodeIdentity } from './node-identity.ts';
import { forbiddenNodeLabels, modifiedLabels } from './kubelet-labels.ts';

const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/** Reads a stored pod (the plugin's view of the store). */
export type PodReader = (namespace: string, name: string) => Promise<Pod | undefined>;

interface TokenRequestSpec {
  boundObjectRef?: { apiVersion?: string; kind?: string; name?: string; uid?: string };
}

/** Nil and empty are the same to upstream's semantic comparison. */
const sameList = (a: unknown[] | undefined, b: unknown[] | undefined) => deepEqual(a ?? [], b ?? []);
const sameMap = (a: object | undefined, b: object | undefined) => deepEqual(a ?? {}, b ?? {});

export class NodeRestriction implements AdmissionPlugin {
  readonly name = 'NodeRestriction';

  constructor(private readonly pods: PodReader) {}

  async validate(a: AdmissionAttributes): Promise<void> {
    const node = nodeIdentity(a.user);
    if (node === undefined) return;
    if (node === '') throw refused(a, `could not determine node from user "${a.user.name}"`);
    switch (`${a.group}/${a.resource}`) {
      case '/pods':
        return admitPod(node, a);
      case '/nodes':
        return admitNode(node, a);
      case '/serviceaccounts':
        return this.tokenRequest(node, a);
      case 'coordination.k8s.io/leases':
        return admitLease(node, a);
    }
  }

  /** A node's TokenRequest must be bound to a pod, by uid, that runs on it. */
  private async tokenRequest(node: string, a: AdmissionAttributes): Promise<void> {
    if (a.operation !== 'CREATE' || a.subresource !== 'token') return;
    const ref = (a.obj?.spec as TokenRequestSpec | undefined)?.boundObjectRef;
    if (!ref || ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || !ref.name) throw refused(a, 'node requested token not bound to a pod');
    if (!ref.uid) throw refused(a, 'node requested token with a pod binding without a uid');
    const pod = await this.pods(a.namespace ?? '', ref.name);
    if (!pod) throw notFound('', 'pods', ref.name);
    if (ref.uid !== pod.metadata?.uid) {
      throw refused(a, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    if (pod.spec?.nodeName !== node) throw refused(a, 'node requested token bound to a pod scheduled on a different node');
  }
}

/** No pods of its own; deletes only of pods bound to it; status as admitPodStatus says. */
function admitPod(node: string, a: AdmissionAttributes): void {
  if (a.subresource === 'status') return admitPodStatus(node, a);
  if (a.subresource) throw refused(a, `unexpected pod subresource "${a.subresource}", only 'status' and 'eviction' are allowed`);
  if (a.operation === 'CREATE') return admitPodCreate(node, a);
  if (a.operation !== 'DELETE') throw refused(a, `unexpected operation "${a.operation}", node "${node}" can only create and delete mirror pods`);
  // A delete is admitted with the stored pod (delete.ts read it).
  const pod = a.old as Pod;
  if (pod.spec?.nodeName !== node) throw refused(a, `node "${node}" can only delete pods with spec.nodeName set to itself`);
}

/**
 * Upstream lets a node create only mirror pods of its static pods; Kubelab's agents run none, so
 * every pod a node creates is refused: without the mirror annotation with upstream's message,
 * with it because no static pod stands behind it.
 */
function admitPodCreate(node: string, a: AdmissionAttributes): void {
  const pod = a.obj as Pod;
  if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] === undefined) {
    throw refused(a, `pod does not have "${MIRROR_POD_ANNOTATION}" annotation, node "${node}" can only create mirror pods`);
  }
  if (pod.spec?.nodeName !== node) throw refused(a, `node "${node}" can only create pods with spec.nodeName set to itself`);
  throw refused(a, `node "${node}" runs no static pods, so it may not create mirror pods`);
}

/** Only the status of a pod bound to the node, and not its labels or claims through it. */
function admitPodStatus(node: string, a: AdmissionAttributes): void {
  if (a.operation !== 'UPDATE') throw refused(a, `unexpected operation "${a.operation}"`);
  const old = a.old as Pod;
  const next = a.obj as Pod;
  if (old.spec?.nodeName !== node) throw refused(a, `node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
  if (!sameMap(old.metadata?.labels, next.metadata?.labels)) throw refused(a, `node "${node}" cannot update labels through pod status`);
  const claims = (p: Pod) => (p.status?.resourceClaimStatuses ?? []).map((c) => [c.name, c.resourceClaimName ?? null]);
  if (!deepEqual(claims(old), claims(next))) throw refused(a, `node "${node}" cannot update resource claim statues`);
}

/** Its own Node only (any subresource, delete too); on create and update, what it may set. */
function admitNode(node: string, a: AdmissionAttributes): void {
  if (a.name !== node) throw refused(a, `node "${node}" is not allowed to modify node "${a.name}"`);
  const next = a.obj as Node | undefined;
  if (a.operation === 'CREATE' && next) admitNodeCreate(node, a, next);
  if (a.operation === 'UPDATE' && next) admitNodeUpdate(node, a, next, a.old as Node);
}

function admitNodeCreate(node: string, a: AdmissionAttributes, next: Node): void {
  // What the Node's spec names, its node may read; a config source of its own choosing would widen that.
  if (next.spec?.configSource) throw refused(a, `node "${node}" is not allowed to create pods with a non-nil configSource`);
  const forbidden = forbiddenNodeLabels(modifiedLabels(next.metadata?.labels, undefined));
  if (forbidden.length) throw refused(a, `node "${node}" is not allowed to set the following labels: ${forbidden.join(', ')}`);
}

/** Taints and ownerReferences are the admin's once the node registered; labels as on create. */
function admitNodeUpdate(node: string, a: AdmissionAttributes, next: Node, old: Node): void {
  if (next.spec?.configSource && !deepEqual(next.spec.configSource, old.spec?.configSource)) {
    throw refused(a, `node "${node}" is not allowed to update configSource to a new non-nil configSource`);
  }
  if (!sameList(next.spec?.taints, old.spec?.taints)) throw refused(a, `node "${node}" is not allowed to modify taints`);
  if (!sameList(next.metadata?.ownerReferences, old.metadata?.ownerReferences)) throw refused(a, `node "${node}" is not allowed to modify ownerReferences`);
  const forbidden = forbiddenNodeLabels(modifiedLabels(next.metadata?.labels, old.metadata?.labels));
  if (forbidden.length) throw refused(a, `is not allowed to modify labels: ${forbidden.join(', ')}`);
}

/** Its own Lease in kube-node-lease only. */
function admitLease(node: string, a: AdmissionAttributes): void {
  if (a.namespace !== NODE_LEASE_NAMESPACE) throw refused(a, `can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
  if (a.name !== node) throw refused(a, 'can only access node lease with the same name as the requesting node');
}
