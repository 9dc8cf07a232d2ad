// managedFields for writes that are not applies (create, update, non-apply patch, subresource
// writes): the writer takes the fields it set or changed, everyone else loses those and every
// manager loses what the write removed. Upstream never reports conflicts for these.
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import { propertySchema, resolveSchema } from '../openapi/spec.ts';
import type { Schema } from '../openapi/spec.ts';
import type { KubeObject } from '../resources/types.ts';
import { compareObjects } from './compare.ts';
import type { Comparison } from './compare.ts';
import {
  decodeManagedFields,
  decodeOrEmpty,
  encodeManagedFields,
  isResetManagedFields,
  managerIdentity,
  resetFields,
  rfc3339,
  trackedFields,
} from './managed-fields.ts';
import type { ManagerEntry, Managers } from './managed-fields.ts';
import type { ApplyConflict } from './conflicts.ts';
import { pathString } from './fieldpath.ts';
import { capUpdateManagers } from './cap-managers.ts';
import { createdFieldsV1 } from './created-fields.ts';

export interface UpdateManagedFieldsArgs {
  live: KubeObject | undefined;
  updated: KubeObject;
  manager: string;
  operation: 'Update';
  apiVersion: string;
  subresource?: string;
  now: Date;
  schema: Schema | undefined;
}

/** The object without metadata.managedFields, which is bookkeeping and never compared. */
export function withoutManagedFields(obj: KubeObject): KubeObject {
  if (!obj.metadata || !('managedFields' in obj.metadata)) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

export function withManagedFields(obj: KubeObject, entries: ManagedFieldsEntry[]): KubeObject {
  const base = withoutManagedFields(obj);
  if (entries.length === 0) return base;
  return { ...base, metadata: { ...base.metadata, managedFields: entries } };
}

// Struct fields that Go's types hold by value, not by pointer, in the kinds served here: they
// exist (empty) in a kind's zero value, so creating an object does not "add" them themselves.
const VALUE_STRUCTS = new Set(['metadata', 'spec', 'status', 'template', 'jobTemplate', 'strategy', 'updateStrategy', 'roleRef', 'scaleTargetRef']);

/**
 * What the object looked like before a create, for comparisons: upstream compares a create with
 * the kind's zero value, in which the by-value structs are present and empty, and required lists
 * (serialized without omitempty) are null.
 */
export function emptyLike(obj: KubeObject, schema: Schema | undefined): KubeObject {
  return { ...(zeroOf(obj, schema) as Record<string, unknown>), metadata: {} } as KubeObject;
}

function zeroOf(value: unknown, schema: Schema | undefined): unknown {
  const out: Record<string, unknown> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return out;
  const s = resolveSchema(schema);
  for (const [name, child] of Object.entries(value)) {
    if (VALUE_STRUCTS.has(name) && child !== null && typeof child === 'object' && !Array.isArray(child)) {
      out[name] = zeroOf(child, propertySchema(s, name));
    } else if (s?.required?.includes(name) && propertySchema(s, name)?.type === 'array') {
      out[name] = null;
    }
  }
  return out;
}

/**
 * Takes the fields another write changed away from every manager but self: what it added or
 * modified (those are conflicts for an apply) and what it removed. Returns the conflicts.
 */
export function takeOwnership(managers: Managers, selfId: string, c: Comparison, subresource: string | undefined): ApplyConflict[] {
  const changed = resetFields(c.modified.union(c.added), subresource);
  const removed = resetFields(c.removed, subresource);
  const conflicts: ApplyConflict[] = [];
  for (const [id, entry] of managers) {
    if (id === selfId) continue;
    const lost = entry.fields.intersection(changed);
    for (const path of lost.paths()) {
      conflicts.push({
        manager: entry.manager,
        apiVersion: entry.apiVersion,
        field: pathString(path),
        operation: entry.operation,
        ...(entry.subresource ? { subresource: entry.subresource } : {}),
      });
    }
    entry.fields = entry.fields.difference(lost).difference(removed);
    if (entry.fields.isEmpty()) managers.delete(id);
  }
  return conflicts;
}

// Which managers a non-apply write starts from (upstream's decodeLiveOrNew): a client may set
// managedFields through the main resource, clear them with [] or [{}], and is ignored when the
// entries are invalid or missing, so that clients unaware of managedFields cannot drop them.
function startingManagers(args: UpdateManagedFieldsArgs): Managers {
  const live = decodeOrEmpty(args.live?.metadata.managedFields);
  if (args.subresource) return live;
  const requested: unknown = args.updated.metadata.managedFields;
  if (isResetManagedFields(requested)) return new Map();
  try {
    const decoded = decodeManagedFields(requested);
    return decoded.size > 0 ? decoded : live;
  } catch {
    return live;
  }
}

export function updateManagedFields(args: UpdateManagedFieldsArgs): KubeObject {
  if (!args.live && args.updated.metadata.managedFields === undefined) return createManagedFields(args);
  return trackUpdateOf(args);
}

/** A create that brings no managedFields of its own: its manager owns what it set. */
function createManagedFields(args: UpdateManagedFieldsArgs): KubeObject {
  const fieldsV1 = createdFieldsV1(emptyLike(args.updated, args.schema), args.updated, args.schema, args.subresource);
  if (Object.keys(fieldsV1).length === 0) return args.updated;
  const entry: ManagedFieldsEntry = { manager: args.manager, operation: 'Update', apiVersion: args.apiVersion, time: rfc3339(args.now), fieldsType: 'FieldsV1', fieldsV1 };
  if (args.subresource) entry.subresource = args.subresource;
  return withManagedFields(args.updated, [entry]);
}

/**
 * The part of an object a write can own, so that comparing skips the rest: a status write only
 * status (the status strategy keeps everything else as it was), any other write all but status
 * (resetFields would drop status changes anyway). A pod's status update then never walks its spec.
 */
function comparedPart(obj: KubeObject, subresource: string | undefined): KubeObject {
  if (subresource === 'status') return (obj.status === undefined ? {} : { status: obj.status }) as KubeObject;
  if (!('status' in obj)) return obj;
  const { status: _ignored, ...rest } = obj;
  return rest as KubeObject;
}

/** The general case: compare live and updated, move ownership between managers. Exported for tests. */
export function trackUpdateOf(args: UpdateManagedFieldsArgs): KubeObject {
  const managers = startingManagers(args);
  const updated = withoutManagedFields(args.updated);
  // Objects whose managedFields were cleared stay untracked until the next apply (upstream's
  // skipNonAppliedManager); creates are always tracked.
  if (managers.size === 0 && args.live) return updated;
  const live = args.live ? withoutManagedFields(args.live) : emptyLike(updated, args.schema);
  const c = compareObjects(comparedPart(live, args.subresource), comparedPart(updated, args.subresource), args.schema);
  const selfId = managerIdentity({ manager: args.manager, operation: 'Update', apiVersion: args.apiVersion, subresource: args.subresource });
  const previous = managers.get(selfId);
  takeOwnership(managers, selfId, c, args.subresource);
  const taken = trackedFields(c.modified.union(c.added), args.subresource);
  if (previous) {
    previous.fields = previous.fields.difference(c.removed).union(taken);
    if (!taken.isEmpty()) previous.time = rfc3339(args.now);
    if (previous.fields.isEmpty()) managers.delete(selfId);
  } else if (!taken.isEmpty()) {
    const entry: ManagerEntry = { manager: args.manager, operation: 'Update', apiVersion: args.apiVersion, time: rfc3339(args.now), fields: taken };
    if (args.subresource) entry.subresource = args.subresource;
    managers.set(selfId, entry);
  }
  capUpdateManagers(managers);
  return withManagedFields(updated, encodeManagedFields(managers));
}
