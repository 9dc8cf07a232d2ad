// `kubectl rollout history` and `kubectl rollout undo --to-revision`. A Deployment's revisions are
// its ReplicaSets (deployment.kubernetes.io/revision); a DaemonSet's or StatefulSet's are its
// ControllerRevisions, whose data is a strategic merge patch of the pod template.
import type { ControllerRevision, Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1';
import type { KubeClient } from '../../client/kube-client.ts';
import { gvr } from '../../client/resources.ts';
import { annotations as deploymentAnnotations, revisionOf } from '../../controllers/deployment/history.ts';
import type { Revision, RolloutKind, WorkloadRef } from '../api/workloads.ts';
import { kindSpec } from '../kinds.ts';
import { ServiceError } from '../service-error.ts';

export const changeCauseAnnotation = 'kubernetes.io/change-cause';
const podTemplateHashLabel = 'pod-template-hash';

/** Deployment annotations kubectl does not copy back from a ReplicaSet on undo (annotationsToSkip). */
const undoSkippedAnnotations = new Set<string>([
  deploymentAnnotations.lastApplied, deploymentAnnotations.revision, deploymentAnnotations.revisionHistory,
  deploymentAnnotations.desiredReplicas, deploymentAnnotations.maxReplicas, deploymentAnnotations.rollbackTo,
]);

interface Entry {
  revision: Revision;
  /** What undo writes back: the template (Deployments) or the revision's patch (the others). */
  template?: PodTemplateSpec;
  patch?: unknown;
}

const workloadGvr = (kind: RolloutKind) => kindSpec(kind).gvr;

export async function rolloutHistory(client: KubeClient, ref: WorkloadRef<RolloutKind>): Promise<Revision[]> {
  return (await entries(client, ref)).map((e) => e.revision);
}

/** Restores a revision (0: the one before the current, as kubectl); returns the revision restored. */
export async function rolloutUndo(client: KubeClient, ref: WorkloadRef<RolloutKind>, toRevision: number): Promise<number> {
  const list = await entries(client, ref);
  const target = toRevision === 0 ? list.filter((e) => !e.revision.current)[0] : list.find((e) => e.revision.revision === toRevision);
  if (!target) throw new ServiceError(toRevision === 0 ? `${ref.name} has no previous revision to roll back to` : `unable to find specified revision ${toRevision} in history`, 400);
  if (target.revision.current) throw new ServiceError(`skipped rollback (current template already matches revision ${target.revision.revision})`, 409);
  if (ref.kind === 'deployments') await undoDeployment(client, ref, target.template!, target.revision.source);
  else await client.patch(workloadGvr(ref.kind), ref.namespace, ref.name, target.patch, 'strategic');
  return target.revision.revision;
}

async function entries(client: KubeClient, ref: WorkloadRef<RolloutKind>): Promise<Entry[]> {
  const owner = await client.get(workloadGvr(ref.kind), ref.namespace, ref.name);
  const uid = owner.metadata?.uid;
  const owned = <T extends { metadata?: { ownerReferences?: { uid: string; controller?: boolean }[] } }>(o: T) =>
    o.metadata?.ownerReferences?.some((r) => r.controller && r.uid === uid) ?? false;
  const list = ref.kind === 'deployments'
    ? (await client.list<ReplicaSet>(gvr.replicaSets, { namespace: ref.namespace })).items.filter(owned).map(replicaSetEntry)
    : (await client.list<ControllerRevision>(gvr.controllerRevisions, { namespace: ref.namespace })).items.filter(owned).map(controllerRevisionEntry);
  // The controllers give the revision they run the highest number (an undo renumbers the old one).
  const current = Math.max(0, ...list.map((e) => e.revision.revision));
  for (const e of list) e.revision.current = e.revision.revision === current;
  return list.filter((e) => e.revision.revision > 0).sort((a, b) => b.revision.revision - a.revision.revision);
}

function replicaSetEntry(rs: ReplicaSet): Entry {
  return {
    revision: {
      revision: revisionOf(rs),
      changeCause: rs.metadata?.annotations?.[changeCauseAnnotation] ?? '',
      images: imagesOf(rs.spec?.template),
      created: rs.metadata?.creationTimestamp,
      source: `ReplicaSet ${rs.metadata?.name}`,
      current: false,
    },
    template: rs.spec?.template,
  };
}

function controllerRevisionEntry(r: ControllerRevision): Entry {
  const data = r.data as { spec?: { template?: PodTemplateSpec } } | undefined;
  return {
    revision: {
      revision: r.revision ?? 0,
      changeCause: r.metadata?.annotations?.[changeCauseAnnotation] ?? '',
      images: imagesOf(data?.spec?.template),
      created: r.metadata?.creationTimestamp,
      source: `ControllerRevision ${r.metadata?.name}`,
      current: false,
    },
    patch: r.data,
  };
}

function imagesOf(template: PodTemplateSpec | undefined): string[] {
  return (template?.spec?.containers ?? []).map((c) => c.image ?? '');
}

/**
 * kubectl's DeploymentRollbacker: the ReplicaSet's template (without its pod-template-hash label)
 * replaces the Deployment's, and the ReplicaSet's annotations (change-cause among them) come back.
 */
async function undoDeployment(client: KubeClient, ref: { namespace: string; name: string }, template: PodTemplateSpec, source: string): Promise<void> {
  const d = await client.get<Deployment>(gvr.deployments, ref.namespace, ref.name);
  if (d.spec?.paused) throw new ServiceError(`you cannot rollback a paused deployment; resume it first with kubectl rollout resume deployment/${ref.name} and try again`, 409);
  const rsName = source.replace(/^ReplicaSet /, '');
  const rs = await client.get<ReplicaSet>(gvr.replicaSets, ref.namespace, rsName);
  const { [podTemplateHashLabel]: _hash, ...labels } = template.metadata?.labels ?? {};
  const restored: PodTemplateSpec = { ...template, metadata: { ...template.metadata, labels } };
  const annotations: Record<string, string> = { ...d.metadata?.annotations };
  for (const [k, v] of Object.entries(rs.metadata?.annotations ?? {})) if (!undoSkippedAnnotations.has(k)) annotations[k] = v;
  await client.patch(gvr.deployments, ref.namespace, ref.name, [
    { op: 'replace', path: '/spec/template', value: restored },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ], 'json');
}

