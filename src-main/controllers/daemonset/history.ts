// A DaemonSet's revisions (upstream's constructHistory / snapshot / cleanupHistory): the
// controller-revision-hash of the current template, and — where the API serves apps/v1
// ControllerRevisions — one ControllerRevision per template, numbered, so `kubectl rollout
// history` and `rollout undo` have something to read. Where it is not served, the hash is the
// template's own and no history is kept.
import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { isAlreadyExists, isNotFound } from '../../client/api-error.ts';
import type { Informer } from '../../client/informer.ts';
import type { KubeClient } from '../../client/kube-client.ts';
import { gvr } from '../../client/resources.ts';
import { controllerRefOf, newControllerRef } from '../controller-ref.ts';
import { canonicalJSON, computeHash } from '../deployment/template.ts';
import { RetryLater } from '../queue-controller.ts';
import { controllerRevisionHashLabel } from './daemon-pod.ts';
import { daemonSetKind } from './sync-nodes.ts';

const ownerIndex = 'daemonset/controller-uid';

/** The data a revision holds: the template, replacing whatever was there (getPatch). */
function revisionData(ds: DaemonSet): { spec: { template: Record<string, unknown> } } {
  return { spec: { template: { ...ds.spec?.template, $patch: 'replace' } } };
}

function templateOf(rev: ControllerRevision): unknown {
  const t = { ...((rev.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template ?? {}) };
  delete t.$patch;
  return t;
}

export class DaemonSetHistory {
  constructor(
    private readonly client: KubeClient,
    private readonly revisions: Informer<ControllerRevision> | undefined,
  ) {
    revisions?.addIndex(ownerIndex, (r) => {
      const ref = controllerRefOf(r);
      return ref?.kind === 'DaemonSet' ? [ref.uid] : [];
    });
  }

  /** The revisions informer, when ControllerRevisions are served. */
  get informer(): Informer<ControllerRevision> | undefined {
    return this.revisions;
  }

  /** The hash of the DaemonSet's current revision, recording the revision where served. */
  async currentHash(ds: DaemonSet): Promise<string> {
    if (!this.revisions) return computeHash(ds.spec?.template, ds.status?.collisionCount);
    const owned = this.owned(ds);
    const wanted = canonicalJSON(ds.spec?.template);
    const matching = owned.filter((r) => canonicalJSON(templateOf(r)) === wanted).sort((a, b) => b.revision - a.revision);
    const maxRevision = Math.max(0, ...owned.map((r) => r.revision));
    let current = matching[0];
    if (!current) current = await this.snapshot(ds, maxRevision + 1);
    else if (current.revision < maxRevision) {
      // back to an older template (rollout undo): it becomes the newest revision again
      current = await this.client.update<ControllerRevision>(gvr.controllerRevisions, { ...current, revision: maxRevision + 1 });
    }
    for (const dup of matching.slice(1)) await this.deleteRevision(dup);
    return current.metadata?.labels?.[controllerRevisionHashLabel] ?? computeHash(ds.spec?.template, ds.status?.collisionCount);
  }

  /** Old revisions beyond revisionHistoryLimit that no pod still runs are deleted, oldest first. */
  async cleanup(ds: DaemonSet, pods: readonly Pod[], hash: string): Promise<void> {
    if (!this.revisions) return;
    const live = new Set(pods.map((p) => p.metadata?.labels?.[controllerRevisionHashLabel]));
    const old = this.owned(ds)
      .filter((r) => r.metadata?.labels?.[controllerRevisionHashLabel] !== hash && !live.has(r.metadata?.labels?.[controllerRevisionHashLabel]))
      .sort((a, b) => a.revision - b.revision);
    const excess = old.length - (ds.spec?.revisionHistoryLimit ?? 10);
    for (const r of old.slice(0, Math.max(0, excess))) await this.deleteRevision(r);
  }

  private owned(ds: DaemonSet): ControllerRevision[] {
    return this.revisions!.byIndex(ownerIndex, ds.metadata!.uid!).filter((r) => r.metadata?.namespace === ds.metadata?.namespace);
  }

  private async snapshot(ds: DaemonSet, revision: number): Promise<ControllerRevision> {
    const hash = computeHash(ds.spec?.template, ds.status?.collisionCount);
    const rev: ControllerRevision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: `${ds.metadata!.name}-${hash}`,
        namespace: ds.metadata!.namespace,
        labels: { ...ds.spec?.template?.metadata?.labels, [controllerRevisionHashLabel]: hash },
        ...(ds.metadata?.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
        ownerReferences: [newControllerRef(ds, daemonSetKind)],
      },
      data: revisionData(ds),
      revision,
    };
    try {
      return await this.client.create(gvr.controllerRevisions, rev);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await this.client.get<ControllerRevision>(gvr.controllerRevisions, rev.metadata!.namespace, rev.metadata!.name!);
      if (controllerRefOf(existing)?.uid === ds.metadata?.uid && canonicalJSON(templateOf(existing)) === canonicalJSON(ds.spec?.template)) return existing;
      // A hash collision: a different template has this name. Count it, so the next hash differs.
      await this.client.patch(gvr.daemonSets, ds.metadata!.namespace, ds.metadata!.name!, { status: { collisionCount: (ds.status?.collisionCount ?? 0) + 1 } }, 'merge', { subresource: 'status' });
      throw new RetryLater(`controller revision ${rev.metadata!.name} collides`);
    }
  }

  private async deleteRevision(r: ControllerRevision): Promise<void> {
    try {
      await this.client.delete(gvr.controllerRevisions, r.metadata?.namespace, r.metadata!.name!);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
