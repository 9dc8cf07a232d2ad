// Finding — or creating — the new ReplicaSet of a Deployment (upstream's getNewReplicaSet): the
// one whose template is the Deployment's, named <deployment>-<pod-template-hash>, with the hash
// added to its selector, labels and template so that its pods never overlap another revision's.
// Its revision is kept above every old one, and the Deployment's revision annotation follows it.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import { isAlreadyExists } from '../../client/api-error.ts';
import { gvr } from '../../client/resources.ts';
import { cloneJSON } from '../../util/clone-json.ts';
import { controllerRefOf, newControllerRef } from '../controller-ref.ts';
import { getCondition, newCondition, reasons, setCondition } from './conditions.ts';
import type { SyncContext } from './context.ts';
import { annotations, maxRevision, setNewReplicaSetAnnotations } from './history.ts';
import { computeHash, equalIgnoreHash, podTemplateHashLabel } from './template.ts';
import { findNewReplicaSet, findOldReplicaSets, hasProgressDeadline, newRSNewReplicas } from './util.ts';

export const deploymentKind = { apiVersion: 'apps/v1', kind: 'Deployment' };

export interface ReplicaSetsOfDeployment {
  newRS?: ReplicaSet;
  oldRSs: ReplicaSet[];
}

/** The new ReplicaSet (created when asked and missing) and the old ones, revisions in order. */
export async function getAllReplicaSetsAndSyncRevision(c: SyncContext, cached: readonly ReplicaSet[], createIfNotExisted: boolean): Promise<ReplicaSetsOfDeployment> {
  const rsList = c.current(cached);
  const oldRSs = findOldReplicaSets(c.d, rsList);
  const newRS = await getNewReplicaSet(c, rsList, oldRSs, createIfNotExisted);
  return { newRS, oldRSs };
}

async function getNewReplicaSet(c: SyncContext, rsList: readonly ReplicaSet[], oldRSs: readonly ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
  const existing = findNewReplicaSet(c.d, rsList);
  const newRevision = maxRevision(oldRSs) + 1;
  if (existing) return syncExisting(c, existing, newRevision);
  if (!create) return undefined;
  return createNewReplicaSet(c, oldRSs, newRevision);
}

/** Brings an existing new ReplicaSet's annotations and minReadySeconds up to date. */
async function syncExisting(c: SyncContext, existing: ReplicaSet, newRevision: number): Promise<ReplicaSet> {
  const rs = cloneJSON(existing);
  const annotationsChanged = setNewReplicaSetAnnotations(c.d, rs, newRevision, true);
  const minReady = c.d.spec?.minReadySeconds ?? 0;
  if (annotationsChanged || (rs.spec?.minReadySeconds ?? 0) !== minReady) {
    rs.spec = { ...rs.spec!, minReadySeconds: minReady };
    return c.wrote(await c.client.update<ReplicaSet>(gvr.replicaSets, rs));
  }
  const revision = rs.metadata?.annotations?.[annotations.revision];
  if (revision) await c.writeAnnotation(annotations.revision, revision);
  // A Deployment that never had a Progressing condition starts counting from here.
  if (hasProgressDeadline(c.d) && !getCondition(c.d.status, 'Progressing')) {
    const status = { ...c.d.status };
    setCondition(status, newCondition('Progressing', 'True', reasons.foundNewReplicaSet, `Found new replica set "${rs.metadata?.name}"`, c.nowTime()));
    await c.writeStatus(status);
  }
  return rs;
}

function newReplicaSetObject(d: Deployment, hash: string): ReplicaSet {
  const template = cloneJSON(d.spec!.template);
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [podTemplateHashLabel]: hash } };
  const selector = cloneJSON(d.spec!.selector);
  selector.matchLabels = { ...selector.matchLabels, [podTemplateHashLabel]: hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      // deterministic, so that a second create after a lost answer finds the first
      name: `${d.metadata!.name}-${hash}`,
      namespace: d.metadata!.namespace,
      ownerReferences: [newControllerRef(d, deploymentKind)],
      labels: { ...template.metadata.labels },
    },
    spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
  };
}

async function createNewReplicaSet(c: SyncContext, oldRSs: readonly ReplicaSet[], newRevision: number): Promise<ReplicaSet> {
  const d = c.d;
  const hash = computeHash(d.spec?.template, d.status?.collisionCount);
  const rs = newReplicaSetObject(d, hash);
  const replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
  rs.spec!.replicas = replicas;
  setNewReplicaSetAnnotations(d, rs, newRevision, false);
  let created: ReplicaSet;
  let alreadyExists = false;
  try {
    created = await c.client.create<ReplicaSet>(gvr.replicaSets, rs);
  } catch (err) {
    if (!isAlreadyExists(err)) {
      const message = `Failed to create new replica set "${rs.metadata!.name}": ${(err as Error).message}`;
      if (hasProgressDeadline(d)) {
        const status = { ...d.status };
        setCondition(status, newCondition('Progressing', 'False', reasons.replicaSetCreateError, message, c.nowTime()));
        await c.writeStatus(status).catch(() => undefined); // the create error is the one to report
      }
      c.event('Warning', reasons.replicaSetCreateError, message);
      throw err;
    }
    alreadyExists = true;
    created = await adoptOrCollide(c, rs, err as Error);
  }
  c.wrote(created);
  if (!alreadyExists && replicas > 0) {
    c.event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata?.name} from 0 to ${replicas}`);
  }
  await c.writeAnnotation(annotations.revision, String(newRevision));
  if (!alreadyExists && hasProgressDeadline(d)) {
    const status = { ...c.d.status };
    setCondition(status, newCondition('Progressing', 'True', reasons.newReplicaSetCreated, `Created new replica set "${created.metadata?.name}"`, c.nowTime()));
    await c.writeStatus(status);
  }
  return created;
}

/**
 * A ReplicaSet of that name exists: ours with our template (a create whose answer we missed, or
 * a cache behind) is the new one; anything else is a hash collision — collisionCount goes up so
 * the next sync computes another name.
 */
async function adoptOrCollide(c: SyncContext, wanted: ReplicaSet, err: Error): Promise<ReplicaSet> {
  const name = wanted.metadata!.name!;
  const found = c.deps.replicaSets.get(`${wanted.metadata!.namespace}/${name}`)
    ?? await c.client.get<ReplicaSet>(gvr.replicaSets, wanted.metadata!.namespace, name);
  if (controllerRefOf(found)?.uid === c.d.metadata?.uid && equalIgnoreHash(c.d.spec?.template, found.spec?.template)) return found;
  await c.writeStatus({ ...c.d.status, collisionCount: (c.d.status?.collisionCount ?? 0) + 1 });
  throw err;
}
