// Kubernetes objects on top of the revisioned Store: where each object lives (its key), how it is
// encoded, and how the store's modRevision becomes metadata.resourceVersion. Objects are stored in
// their storage version, without resourceVersion; it is injected on the way out.
import type { KeyValue, Store } from '../store/store.ts';
import type { KubeObject, ResourceDefinition } from './resources/types.ts';

export function objectKey(kind: ResourceDefinition, namespace: string | undefined, name: string): string {
  const def = kind.storedAs ?? kind;
  return def.namespaced ? `/registry/${def.group || 'core'}/${def.resource}/${namespace}/${name}` : `/registry/${def.group || 'core'}/${def.resource}/${name}`;
}

/** The prefix of every object of a resource, or of one namespace's objects. */
export function resourcePrefix(kind: ResourceDefinition, namespace?: string): string {
  const def = kind.storedAs ?? kind;
  const base = `/registry/${def.group || 'core'}/${def.resource}/`;
  return def.namespaced && namespace ? `${base}${namespace}/` : base;
}

/**
 * Serialises with apiVersion, kind and metadata first, so that `"metadata":{` is found at a known
 * place and resourceVersion can be injected into the JSON text without parsing it (fast LISTs).
 */
export function encodeObject(obj: KubeObject): string {
  const { apiVersion, kind, metadata, ...rest } = obj;
  const { resourceVersion: _rv, ...meta } = metadata ?? {};
  return JSON.stringify({ apiVersion, kind, metadata: meta, ...rest });
}

export function decodeObject(kv: Pick<KeyValue, 'value' | 'modRevision'>): KubeObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

// Every watcher of an event, and the next update of the object, read the same decode of a stored
// value. Readers must not change it; under the tests it is frozen, so one that does fails there.
const sharedDecodes = new WeakMap<KeyValue, KubeObject>();
const freezeShared = process.env.VITEST !== undefined;

/** The stored object, decoded once per stored value and shared: read it, never change it. */
export function decodeShared(kv: KeyValue): KubeObject {
  let obj = sharedDecodes.get(kv);
  if (!obj) {
    obj = decodeObject(kv);
    if (freezeShared) deepFreeze(obj);
    sharedDecodes.set(kv, obj);
  }
  return obj;
}

function deepFreeze(v: unknown): void {
  if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const child of Object.values(v)) deepFreeze(child);
}

// Where resourceVersion goes: encodeObject writes metadata right after apiVersion and kind.
const METADATA = '"metadata":{';

/** The stored JSON with metadata.resourceVersion set, without a parse/stringify round trip. */
export function jsonWithResourceVersion(kv: KeyValue): string {
  return withResourceVersion(kv.value, kv.modRevision);
}

/** json (an object as encodeObject wrote it) with metadata.resourceVersion set to revision. */
export function withResourceVersion(json: string, revision: number): string {
  const at = json.indexOf(METADATA);
  if (at < 0) return JSON.stringify(decodeObject({ value: json, modRevision: revision }));
  const insertAt = at + METADATA.length;
  const sep = json[insertAt] === '}' ? '' : ',';
  return `${json.slice(0, insertAt)}"resourceVersion":"${revision}"${sep}${json.slice(insertAt)}`;
}

// The longest text the splice below inserts: "resourceVersion":"<up to 16 digits>",
export const RESOURCE_VERSION_ROOM = 40;
const METADATA_BYTES = Buffer.from(METADATA);

/**
 * jsonWithResourceVersion as bytes, written into target at offset (which must have room for
 * kv.valueLength + RESOURCE_VERSION_ROOM bytes); returns the offset after them. The value is
 * copied from the store straight into target, never decoded: a LIST moves bytes only.
 */
export function copyWithResourceVersion(kv: KeyValue, target: Buffer, offset: number): number {
  const rv = `"resourceVersion":"${kv.modRevision}",`;
  const start = offset + rv.length;
  const end = kv.copyValue(target, start);
  const at = target.indexOf(METADATA_BYTES, start);
  if (at < 0 || at + METADATA_BYTES.length >= end) return offset + target.write(jsonWithResourceVersion(kv), offset);
  const insertAt = at + METADATA_BYTES.length;
  // Move what comes before the marker's end left into the room left for the insert.
  target.copyWithin(offset, start, insertAt);
  const rvAt = insertAt - rv.length;
  if (target[insertAt] !== 0x7d /* } */) {
    target.write(rv, rvAt, 'latin1');
    return end;
  }
  // Empty metadata: no comma after the insert, so the rest moves left by one.
  target.write(rv.slice(0, -1), rvAt, 'latin1');
  target.copyWithin(insertAt - 1, insertAt, end);
  return end - 1;
}

export interface StoredObject {
  obj: KubeObject;
  kv: KeyValue;
}

export async function getObject(store: Store, def: ResourceDefinition, namespace: string | undefined, name: string): Promise<StoredObject | undefined> {
  const kv = await store.get(objectKey(def, namespace, name));
  return kv ? { obj: decodeObject(kv), kv } : undefined;
}

/** getObject with the shared decode (decodeShared): for callers that only read the object. */
export async function getSharedObject(store: Store, def: ResourceDefinition, namespace: string | undefined, name: string): Promise<StoredObject | undefined> {
  const kv = await store.get(objectKey(def, namespace, name));
  return kv ? { obj: decodeShared(kv), kv } : undefined;
}
