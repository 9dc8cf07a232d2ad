// Server-side apply (PATCH with application/apply-patch+yaml): merge the applied configuration
// into the live object, remove what this applier stopped applying, and record that the applier
// now owns exactly what it applied. Changing a value another manager owns is a conflict unless
// the request forces, in which case the ownership moves.
import type { Schema } from '../openapi/spec.ts';
import type { KubeObject } from '../resources/types.ts';
import { compareObjects, deepEqual } from './compare.ts';
import { ApplyBadRequestError, ApplyConflictError } from './conflicts.ts';
import { fieldSetOf } from './field-set-of.ts';
import { allowedFromLastApplied, KUBECTL_MANAGER, syncLastApplied } from './last-applied.ts';
import { FieldSet } from './fieldpath.ts';
import { decodeOrEmpty, encodeManagedFields, managerIdentity, resetFields, rfc3339, trackedFields } from './managed-fields.ts';
import type { ManagerEntry, Managers } from './managed-fields.ts';
import { mergeObjects } from './merge.ts';
import { pruneObject } from './prune.ts';
import { emptyLike, takeOwnership, withManagedFields, withoutManagedFields } from './update.ts';

export interface ServerSideApplyArgs {
  live: KubeObject | undefined;
  applied: KubeObject;
  manager: string;
  force: boolean;
  apiVersion: string;
  subresource?: string;
  now: Date;
  schema: Schema | undefined;
  /** The kind the request's URL names; when given, a configuration of another kind is refused. */
  kind?: string;
}

export const BEFORE_FIRST_APPLY_MANAGER = 'before-first-apply';

// An object whose managedFields are empty (cleared by a client) gets one updater owning all it
// has, so that the first applier conflicts with existing values instead of silently taking them.
function beforeFirstApply(live: KubeObject, args: ServerSideApplyArgs): Managers {
  const managers: Managers = new Map();
  const c = compareObjects(emptyLike(live, args.schema), live, args.schema);
  const fields = trackedFields(c.added.union(c.modified), args.subresource);
  if (fields.isEmpty()) return managers;
  const entry: ManagerEntry = { manager: BEFORE_FIRST_APPLY_MANAGER, operation: 'Update', apiVersion: args.apiVersion, time: rfc3339(args.now), fields };
  if (args.subresource) entry.subresource = args.subresource;
  managers.set(managerIdentity(entry), entry);
  return managers;
}

/**
 * Returns the object to store, with its new managedFields. Throws ApplyConflictError on
 * conflicts (unless force) and ApplyBadRequestError when the configuration carries managedFields.
 * The caller then runs the update (or create) strategy, defaults and validation on the result.
 */
export function serverSideApply(args: ServerSideApplyArgs): KubeObject {
  checkType(args);
  if (args.manager !== KUBECTL_MANAGER) return applyOnce(args);
  try {
    return syncLastApplied(applyOnce(args), args.applied);
  } catch (err) {
    // kubectl taking over from its client-side apply: conflicts on fields that still hold what
    // was last applied client-side are not conflicts.
    if (!(err instanceof ApplyConflictError) || !args.live) throw err;
    const allowed = allowedFromLastApplied(withoutManagedFields(args.live), args.apiVersion, args.schema);
    if (!allowed) throw err;
    const remaining = err.conflicts.filter((c) => !allowed.has(c.field));
    if (remaining.length > 0) throw new ApplyConflictError(remaining);
    return syncLastApplied(applyOnce({ ...args, force: true }), args.applied);
  }
}

// Upstream's versionCheckManager: the configuration must be of the type the URL addresses.
function checkType(args: ServerSideApplyArgs): void {
  const { apiVersion, kind } = args.applied;
  if (apiVersion === args.apiVersion && (args.kind === undefined || kind === args.kind)) return;
  const slash = (apiVersion ?? '').indexOf('/');
  const group = slash < 0 ? '' : (apiVersion ?? '').slice(0, slash);
  const version = slash < 0 ? (apiVersion ?? '') : (apiVersion ?? '').slice(slash + 1);
  throw new ApplyBadRequestError(`invalid object type: ${group}/${version}, Kind=${kind ?? ''}`);
}

function applyOnce(args: ServerSideApplyArgs): KubeObject {
  const sent: unknown = args.applied.metadata?.managedFields;
  if (sent !== undefined && sent !== null) throw new ApplyBadRequestError('metadata.managedFields must be nil');
  const applied = withoutManagedFields(args.applied);
  const live = args.live ? withoutManagedFields(args.live) : undefined;

  let managers = decodeOrEmpty(args.live?.metadata.managedFields);
  if (managers.size === 0 && live) managers = beforeFirstApply(live, args);

  const selfId = managerIdentity({ manager: args.manager, operation: 'Apply', apiVersion: args.apiVersion, subresource: args.subresource });
  const previous = managers.get(selfId);
  const lastSet = previous ? resetFields(previous.fields, args.subresource) : new FieldSet();
  // While pruning, the applier owns everything it applies, name and namespace included (upstream
  // strips those only afterwards): that keeps metadata itself from being pruned as a struct whose
  // owned fields all went.
  const appliedSet = resetFields(fieldSetOf(applied, args.schema), args.subresource);
  const self: ManagerEntry = {
    manager: args.manager,
    operation: 'Apply',
    apiVersion: args.apiVersion,
    fields: trackedFields(appliedSet, args.subresource),
  };
  if (args.subresource) self.subresource = args.subresource;
  if (previous?.time) self.time = previous.time;
  managers.set(selfId, self);

  const base: KubeObject = live ?? { metadata: {} };
  const merged = mergeObjects(base, applied, args.schema) as KubeObject;
  let owned = appliedSet;
  for (const e of managers.values()) owned = owned.union(e.fields);
  const result = pruneObject(merged, args.schema, lastSet, owned) as KubeObject;

  const c = compareObjects(live ?? emptyLike(result, args.schema), result, args.schema);
  // takeOwnership edits the entries it is given: work on copies so that a refused apply leaves
  // the live object's entries as they were.
  const after = copyOf(managers);
  const conflicts = takeOwnership(after, selfId, c, args.subresource);
  if (conflicts.length > 0 && !args.force) throw new ApplyConflictError(conflicts);

  const mine = after.get(selfId)!;
  if (mine.fields.isEmpty()) after.delete(selfId);
  // A no-op apply leaves the applier's timestamp alone, as upstream does.
  else if (!live || !deepEqual(live, result) || !mine.time) mine.time = rfc3339(args.now);
  return withManagedFields(result, encodeManagedFields(after));
}

function copyOf(managers: Managers): Managers {
  const copy: Managers = new Map();
  for (const [id, e] of managers) copy.set(id, { ...e });
  return copy;
}
