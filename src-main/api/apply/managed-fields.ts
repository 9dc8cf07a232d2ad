// metadata.managedFields in and out: decoding entries into field sets per manager, encoding them
// back in upstream's order, and which fields are never tracked. A manager is identified by its
// name, operation, subresource and, for updates only, the API version (upstream's
// BuildManagerIdentifier): an applier keeps one entry whatever version it applies with.
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import { FieldSet } from './fieldpath.ts';
import type { PathElement } from './fieldpath.ts';
import { decodeFieldsV1Cached, encodeFieldsV1 } from './fields-v1.ts';
import { isObject } from './shape.ts';

export type ManagedOperation = 'Apply' | 'Update';

export interface ManagerEntry {
  manager: string;
  operation: ManagedOperation;
  apiVersion: string;
  subresource?: string;
  /** RFC 3339, second precision; absent when upstream would leave it unset. */
  time?: string;
  fields: FieldSet;
}

/** The managers of one object, by identity. */
export type Managers = Map<string, ManagerEntry>;

export function managerIdentity(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  // Same member order as upstream's JSON identifier, so that sorting by it sorts the same way.
  const id: Record<string, string> = {};
  if (e.manager) id.manager = e.manager;
  id.operation = e.operation;
  if (e.operation === 'Update' && e.apiVersion) id.apiVersion = e.apiVersion;
  if (e.subresource) id.subresource = e.subresource;
  return JSON.stringify(id);
}

/** Decodes entries as upstream's DecodeManagedFields: throws on the first invalid entry. */
export function decodeManagedFields(entries: unknown): Managers {
  const out: Managers = new Map();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  entries.forEach((raw: unknown, i) => {
    if (!isObject(raw)) throw new Error(`managed fields entry ${i} must be an object`);
    const e = raw as ManagedFieldsEntry;
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (typeof e.apiVersion !== 'string' || e.apiVersion === '') throw new Error('apiVersion must not be empty');
    if (e.fieldsType === undefined || e.fieldsType === '') throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}`);
    if (e.manager !== undefined && typeof e.manager !== 'string') throw new Error(`invalid manager in managed fields entry ${i}`);
    if (e.time !== undefined && e.time !== null && (typeof e.time !== 'string' || Number.isNaN(Date.parse(e.time)))) {
      throw new Error(`invalid time in managed fields entry ${i}`);
    }
    const entry: ManagerEntry = {
      manager: e.manager ?? '',
      operation: e.operation,
      apiVersion: e.apiVersion,
      fields: decodeFieldsV1Cached(e.fieldsV1),
    };
    if (e.subresource) entry.subresource = e.subresource;
    if (e.time) entry.time = e.time;
    out.set(managerIdentity(entry), entry);
  });
  return out;
}

/** Decodes, or gives no managers when the entries are invalid (upstream's emptyManagedFieldsOnErr). */
export function decodeOrEmpty(entries: unknown): Managers {
  try {
    return decodeManagedFields(entries);
  } catch {
    return new Map();
  }
}

/** `[]` or `[{}]` in a request: the client asks to clear managedFields. */
export function isResetManagedFields(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  return entries.length === 1 && isObject(entries[0]) && Object.values(entries[0]).every((v) => v === undefined || v === null || v === '');
}

const seconds = (t: string | undefined) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Entries in upstream's order: Apply before Update, then by time, manager, version, subresource. */
export function encodeManagedFields(managers: Managers): ManagedFieldsEntry[] {
  const entries = [...managers.values()].filter((e) => !e.fields.isEmpty());
  entries.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
  return entries.map((e) => {
    const out: ManagedFieldsEntry = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time) out.time = e.time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = encodeFieldsV1(e.fields);
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

/** Metadata timestamps have second precision (RFC 3339 without fractions). */
export function rfc3339(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z');
}

// Fields no manager ever owns (upstream's stripMetaManager): identity and bookkeeping the server
// sets. Removed as exact paths: `.metadata` goes, `.metadata.labels` stays.
export const STRIPPED_TOP = ['apiVersion', 'kind', 'metadata'];
export const STRIPPED_METADATA = ['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'];

const isStatus = (pe: PathElement) => 'field' in pe && pe.field === 'status';

/**
 * The part of a set a request may touch (upstream's reset fields): the status subresource only
 * status; the main resource everything but status (upstream's strategies reset it, and every
 * kind here with a status has the status subresource). Both rules are about top-level fields,
 * so only the top of the trie is copied.
 */
export function resetFields(set: FieldSet, subresource: string | undefined): FieldSet {
  const statusOnly = subresource === 'status';
  const out = new FieldSet();
  for (const [k, pe] of set.members) if (isStatus(pe) === statusOnly) out.members.set(k, pe);
  for (const [k, c] of set.children) if (isStatus(c.element) === statusOnly) out.children.set(k, c);
  return out;
}

/** What a request's manager may own of a set: its reset fields without the stripped ones. */
export function trackedFields(set: FieldSet, subresource: string | undefined): FieldSet {
  const out = resetFields(set, subresource);
  for (const name of STRIPPED_TOP) out.members.delete(`f:${name}`);
  const metadata = out.children.get('f:metadata');
  if (metadata) {
    const kept = new FieldSet();
    for (const [k, pe] of metadata.set.members) if (!STRIPPED_METADATA.includes((pe as { field?: string }).field ?? '')) kept.members.set(k, pe);
    for (const [k, c] of metadata.set.children) kept.children.set(k, c);
    if (kept.isEmpty()) out.children.delete('f:metadata');
    else out.children.set('f:metadata', { element: metadata.element, set: kept });
  }
  return out;
}
