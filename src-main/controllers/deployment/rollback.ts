// Server-side rollback (upstream's rollback.go). apps/v1 dropped spec.rollbackTo: `kubectl rollout
// undo` now rolls back by itself, patching the Deployment's template from the old ReplicaSet.
// What remains server-side is the deprecated.deployment.rollback.to annotation — the old
// extensions/v1beta1 rollback request — which this still honours: the template (and annotations)
// of that revision are copied into the Deployment, then the annotation is removed.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import { gvr } from '../../client/resources.ts';
import { cloneJSON } from '../../util/clone-json.ts';
import type { SyncContext } from './context.ts';
import { annotations, annotationsForRollback, lastRevision, revisionOf } from './history.ts';
import { getAllReplicaSetsAndSyncRevision } from './new-replicaset.ts';
import { equalIgnoreHash, podTemplateHashLabel } from './template.ts';

/** The revision a rollback was asked for (0: the previous one), or undefined when none was. */
export function rollbackTo(d: Deployment): number | undefined {
  const v = d.metadata?.annotations?.[annotations.rollbackTo];
  if (v === undefined || v === '' || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

export async function rollback(c: SyncContext, rsList: readonly ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(c, rsList, true);
  const all = [...oldRSs, ...(newRS ? [newRS] : [])];
  let revision = rollbackTo(c.d) ?? 0;
  if (revision === 0) {
    revision = lastRevision(all);
    if (revision === 0) {
      c.event('Warning', 'RollbackRevisionNotFound', 'Unable to find last revision.');
      return clearRollbackTo(c, c.d);
    }
  }
  const target = all.find((rs) => revisionOf(rs) === revision);
  if (!target) {
    c.event('Warning', 'RollbackRevisionNotFound', 'Unable to find the revision to rollback to.');
    return clearRollbackTo(c, c.d);
  }
  if (equalIgnoreHash(c.d.spec?.template, target.spec?.template)) {
    c.event('Warning', 'RollbackTemplateUnchanged', `The rollback revision contains the same template as current deployment "${c.name}"`);
    return clearRollbackTo(c, c.d);
  }
  const next = cloneJSON(c.d);
  const template = cloneJSON(target.spec!.template!);
  if (template.metadata?.labels) delete template.metadata.labels[podTemplateHashLabel];
  next.spec = { ...next.spec!, template };
  next.metadata = { ...next.metadata, annotations: annotationsForRollback(c.d, target) };
  await clearRollbackTo(c, next);
  c.event('Normal', 'DeploymentRollback', `Rolled back deployment "${c.name}" to revision ${revision}`);
}

/** Writes d without the rollback request. */
async function clearRollbackTo(c: SyncContext, d: Deployment): Promise<void> {
  const next = cloneJSON(d);
  if (next.metadata?.annotations) delete next.metadata.annotations[annotations.rollbackTo];
  await c.client.update<Deployment>(gvr.deployments, next);
}
