// The node's heartbeat: its Lease in kube-node-lease, renewed every 10 s with a 40 s duration (the
// kubelet's defaults), owned by the Node so it goes with it. A renewal that meets a conflict or a
// missing Lease reads it again or creates it, as the kubelet's lease controller does.
import type { Lease } from 'kubernetes-types/coordination/v1';
import { isConflict, isNotFound } from '../../client/api-error.ts';
import type { KubeClient } from '../../client/kube-client.ts';
import { gvr } from '../../client/resources.ts';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const leaseDurationSeconds = 40;

/** RFC 3339 with microseconds, as Lease times are written. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

export function leaseObject(nodeName: string, nodeUid: string | undefined, now: number): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: nodeName,
      namespace: NODE_LEASE_NAMESPACE,
      ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }] } : {}),
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds, renewTime: microTime(now) },
  };
}

export class NodeLease {
  private lease?: Lease;

  constructor(private readonly client: KubeClient, private readonly nodeName: string) {}

  /** Renews the Lease at `now` (ms); nodeUid makes the Node its owner when it is created. */
  async renew(now: number, nodeUid: string | undefined): Promise<Lease> {
    const { client, nodeName } = this;
    if (this.lease) {
      try {
        return (this.lease = await client.update<Lease>(gvr.leases, { ...this.lease, spec: { ...this.lease.spec, renewTime: microTime(now) } }));
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) throw err;
      }
    }
    try {
      const current = await client.get<Lease>(gvr.leases, NODE_LEASE_NAMESPACE, nodeName);
      return (this.lease = await client.update<Lease>(gvr.leases, { ...current, spec: { ...current.spec, holderIdentity: nodeName, renewTime: microTime(now) } }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return (this.lease = await client.create<Lease>(gvr.leases, leaseObject(nodeName, nodeUid, now)));
    }
  }
}
