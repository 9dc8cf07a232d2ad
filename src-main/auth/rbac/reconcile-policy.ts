// The default roles and bindings, made at bootstrap and reconciled on every start as
// kube-apiserver's rbac/bootstrap-roles post-start hook does: a missing one is created again; an
// existing one gets what it lacks (rules, subjects, labels, aggregation selectors) and keeps
// what a user added; one whose rbac.authorization.kubernetes.io/autoupdate annotation is
// "false" is left exactly as the user made it.
import { isDeepStrictEqual } from 'node:util';
import type { ClusterRole, ClusterRoleBinding } from 'kubernetes-types/rbac/v1';
import { isAlreadyExists, isNotFound, type KubeClient } from '../../client/index.ts';
import { gvr } from '../../client/resources.ts';
import type { KubeObject } from '../../client/types.ts';
import { AUTOUPDATE_ANNOTATION, bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy.ts';

const asApiserver = { fieldManager: 'kube-apiserver' };

/** Items of `expected` that `have` lacks, appended to it. */
function union<T>(have: readonly T[] | undefined, expected: readonly T[] | undefined): T[] {
  const out = [...(have ?? [])];
  for (const e of expected ?? []) if (!out.some((h) => isDeepStrictEqual(h, e))) out.push(e);
  return out;
}

/** Labels and annotations the default has and the object lacks (the object's own values win). */
function withDefaultMetadata<T extends KubeObject>(existing: T, expected: T): T {
  const metadata = { ...existing.metadata };
  metadata.labels = { ...expected.metadata?.labels, ...existing.metadata?.labels };
  metadata.annotations = { ...expected.metadata?.annotations, ...existing.metadata?.annotations };
  return { ...existing, metadata };
}

const keepsUserEdits = (obj: KubeObject) => obj.metadata?.annotations?.[AUTOUPDATE_ANNOTATION] === 'false';

/** The role as it should be; rules of aggregated roles are the aggregation controller's. */
function reconciledRole(existing: ClusterRole, expected: ClusterRole): ClusterRole {
  const role = withDefaultMetadata(existing, expected);
  if (expected.aggregationRule) {
    const selectors = union(existing.aggregationRule?.clusterRoleSelectors, expected.aggregationRule.clusterRoleSelectors);
    return { ...role, aggregationRule: { clusterRoleSelectors: selectors } };
  }
  return { ...role, rules: union(existing.rules, expected.rules) };
}

async function reconcileRole(client: KubeClient, expected: ClusterRole): Promise<void> {
  const name = expected.metadata!.name!;
  let existing: ClusterRole;
  try {
    existing = await client.get<ClusterRole>(gvr.clusterRoles, undefined, name);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await client.create(gvr.clusterRoles, expected, asApiserver).catch((err: unknown) => {
      if (!isAlreadyExists(err)) throw err;
    });
    return;
  }
  if (keepsUserEdits(existing)) return;
  const want = reconciledRole(existing, expected);
  if (!isDeepStrictEqual(want, existing)) await client.update(gvr.clusterRoles, want, asApiserver);
}

async function reconcileBinding(client: KubeClient, expected: ClusterRoleBinding): Promise<void> {
  const name = expected.metadata!.name!;
  let existing: ClusterRoleBinding | undefined;
  try {
    existing = await client.get<ClusterRoleBinding>(gvr.clusterRoleBindings, undefined, name);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  if (existing && keepsUserEdits(existing)) return;
  // roleRef cannot change: a binding to another role is replaced, as upstream's reconciler does.
  if (existing && !isDeepStrictEqual(existing.roleRef, expected.roleRef)) {
    await client.delete(gvr.clusterRoleBindings, undefined, name, { preconditions: { uid: existing.metadata?.uid } });
    existing = undefined;
  }
  if (!existing) {
    await client.create(gvr.clusterRoleBindings, expected, asApiserver).catch((err: unknown) => {
      if (!isAlreadyExists(err)) throw err;
    });
    return;
  }
  const want = { ...withDefaultMetadata(existing, expected), subjects: union(existing.subjects, expected.subjects) };
  if (!isDeepStrictEqual(want, existing)) await client.update(gvr.clusterRoleBindings, want, asApiserver);
}

export async function reconcileBootstrapPolicy(client: KubeClient): Promise<void> {
  for (const role of bootstrapClusterRoles) await reconcileRole(client, role);
  for (const binding of bootstrapClusterRoleBindings) await reconcileBinding(client, binding);
}
