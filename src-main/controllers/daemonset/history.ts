// A DaemonSet's history (upstream's constructHistory, dedupCurHistories, snapshot and
// cleanupHistory in daemon/update.go): one apps/v1 ControllerRevision per template the DaemonSet
// has had, numbered in the order they were last current, so `kubectl rollout history ds/x` lists
// them and `kubectl rollout undo` restores one. The current revision's controller-revision-hash
// labels the pods, and tells new pods from old ones.
import type { ControllerRevision, DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/api-error.ts';
import type { Informer } from '../../client/informer.ts';
import type { KubeClient } from '../../client/kube-client.ts';
import { gvr } from '../../client/resources.ts';
import { controllerRefOf } from '../controller-ref.ts';
import { RetryLater } from '../queue-controller.ts';
import { claimObjects } from '../ref-manager.ts';
import { controllerRevisionHashLabel } from './daemon-pod.ts';
import {
  maxRevision, newRevision, revisionHash, revisionMatches, revisionToKeep, revisionsToCleanUp, splitHistory,
} from './revision.ts';
import { daemonSetKind } from './sync-nodes.ts';

const ownerIndex = 'daemonset/controller-uid';
const orphansIndex = 'daemonset/orphans-by-namespace';

export interface History {
  current: ControllerRevision;
  /** The hash of the current revision (its label): what the current pods carry. */
  hash: string;
  old: ControllerRevision[];
  /** The DaemonSet's pods, relabelled where a duplicate revision was merged away. */
  pods: Pod[];
}

export class DaemonSetHistory {
  constructor(
    private readonly client: KubeClient,
    readonly informer: Informer<ControllerRevision>,
  ) {
    informer
      .addIndex(ownerIndex, (r) => {
        const ref = controllerRefOf(r);
        return ref?.kind === 'DaemonSet' ? [ref.uid] : [];
      })
      .addIndex(orphansIndex, (r) => (controllerRefOf(r) ? [] : [r.metadata?.namespace ?? '']));
  }

  /** Orphaned revisions of a namespace, which a DaemonSet there may adopt. */
  orphans(namespace: string): ControllerRevision[] {
    return this.informer.byIndex(orphansIndex, namespace);
  }

  /**
   * constructHistory: the current revision (created, or renumbered to be the newest, as when
   * `rollout undo` brings an old template back) and the old ones.
   */
  async construct(ds: DaemonSet, pods: Pod[]): Promise<History> {
    const revisions: ControllerRevision[] = [];
    for (const r of await this.claim(ds)) revisions.push(await this.withHashLabel(r));
    const { current: matching, old } = splitHistory(ds, revisions);
    const next = maxRevision(old) + 1;
    let current: ControllerRevision;
    if (matching.length === 0) {
      current = await this.snapshot(ds, next);
    } else {
      current = revisionToKeep(matching);
      pods = await this.dedup(current, matching, pods);
      if ((current.revision ?? 0) < next) {
        current = await this.client.update<ControllerRevision>(gvr.controllerRevisions, { ...current, revision: next });
      }
    }
    return { current, hash: revisionHash(current) ?? '', old, pods };
  }

  /** cleanupHistory: old revisions beyond revisionHistoryLimit that no pod runs any more go. */
  async cleanup(ds: DaemonSet, old: readonly ControllerRevision[], pods: readonly Pod[]): Promise<void> {
    const live = new Set<string>();
    for (const p of pods) {
      const hash = p.metadata?.labels?.[controllerRevisionHashLabel];
      if (hash) live.add(hash);
    }
    for (const r of revisionsToCleanUp(old, live, ds.spec?.revisionHistoryLimit)) await this.deleteRevision(r);
  }

  /** controlledHistories: the revisions it owns, orphans its selector matches adopted. */
  private claim(ds: DaemonSet): Promise<ControllerRevision[]> {
    const namespace = ds.metadata!.namespace!;
    const owned = this.informer.byIndex(ownerIndex, ds.metadata!.uid!).filter((r) => r.metadata?.namespace === namespace);
    return claimObjects<ControllerRevision>({
      client: this.client, resource: gvr.controllerRevisions, owner: ds, ownerKind: daemonSetKind, ownerResource: gvr.daemonSets,
      selector: ds.spec?.selector, candidates: [...owned, ...this.orphans(namespace)],
    });
  }

  /** A revision without the hash label (made elsewhere) gets its own name as its hash. */
  private async withHashLabel(r: ControllerRevision): Promise<ControllerRevision> {
    if (revisionHash(r) !== undefined) return r;
    const labels = { ...r.metadata?.labels, [controllerRevisionHashLabel]: r.metadata!.name! };
    return this.client.update<ControllerRevision>(gvr.controllerRevisions, { ...r, metadata: { ...r.metadata, labels } });
  }

  /**
   * dedupCurHistories: equal revisions (a race, or a collision count that moved on) are merged
   * into the one kept, after the pods of the others are relabelled with its hash. Upstream
   * relabels every pod that lacks the kept hash; only the duplicates' pods are relabelled here,
   * so pods of a truly old template stay old and the rollout still replaces them.
   */
  private async dedup(keep: ControllerRevision, matching: readonly ControllerRevision[], pods: Pod[]): Promise<Pod[]> {
    const dups = matching.filter((r) => r !== keep);
    if (dups.length === 0) return pods;
    const keepHash = revisionHash(keep)!;
    const dupHashes = new Set(dups.map(revisionHash));
    const out: Pod[] = [];
    for (const pod of pods) {
      const hash = pod.metadata?.labels?.[controllerRevisionHashLabel];
      if (!hash || hash === keepHash || !dupHashes.has(hash)) {
        out.push(pod);
        continue;
      }
      try {
        out.push(await this.client.patch<Pod>(gvr.pods, pod.metadata!.namespace, pod.metadata!.name!, { metadata: { labels: { [controllerRevisionHashLabel]: keepHash } } }, 'strategic'));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    for (const dup of dups) await this.deleteRevision(dup);
    return out;
  }

  private async snapshot(ds: DaemonSet, revision: number): Promise<ControllerRevision> {
    const rev = newRevision(ds, revision);
    try {
      return await this.client.create(gvr.controllerRevisions, rev);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const { namespace, name } = rev.metadata as { namespace: string; name: string };
      const existing = await this.client.get<ControllerRevision>(gvr.controllerRevisions, namespace, name);
      // Made by an earlier sync whose result the informer has not shown yet.
      if (revisionMatches(ds, existing)) return existing;
      await this.bumpCollisionCount(ds);
      throw new RetryLater(`controller revision ${name} exists with another template`);
    }
  }

  /** A hash collision: a higher collisionCount gives the template another hash, and name. */
  private async bumpCollisionCount(ds: DaemonSet): Promise<void> {
    const fresh = await this.client.get<DaemonSet>(gvr.daemonSets, ds.metadata!.namespace, ds.metadata!.name!);
    // A stale count made the clash: the next sync, on the fresh count, will not collide.
    if ((fresh.status?.collisionCount ?? null) !== (ds.status?.collisionCount ?? null)) return;
    const status: DaemonSetStatus = {
      currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0,
      ...fresh.status, collisionCount: (fresh.status?.collisionCount ?? 0) + 1,
    };
    await this.client.updateStatus<DaemonSet>(gvr.daemonSets, { ...fresh, status });
  }

  private async deleteRevision(r: ControllerRevision): Promise<void> {
    try {
      await this.client.delete(gvr.controllerRevisions, r.metadata?.namespace, r.metadata!.name!, { preconditions: { uid: r.metadata?.uid } });
    } catch (err) {
      // Gone, or replaced by another object of that name: either way this one is no more.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}
