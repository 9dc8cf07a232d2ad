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

/** The stored JSON with metadata.resourceVersion set, without a parse/stringify round trip. */
export function jsonWithResourceVersion(kv: KeyValue): string {
  return withResourceVersion(kv.value, kv.modRevision);
}

/** json (an object as encodeObject wrote it) with metadata.resourceVersion set to revision. */
export function withResourceVersion(json: string, revision: number): string {
  const marker = '"metadata":{';
  const at = json.indexOf(marker);
  if (at < 0) return JSON.stringify(decodeObject({ value: json, modRevision: revision }));
  const insertAt = at + marker.length;
  const sep = json[insertAt] === '}' ? '' : ',';
  return `${json.slice(0, insertAt)}"resourceVersion":"${revision}"${sep}${json.slice(insertAt)}`;
}

export interface StoredObject {
  obj: KubeObject;
  kv: KeyValue;
}

export async function getObject(store: Store, def: ResourceDefinition, namespace: string | undefined, name: string): Promise<StoredObject | undefined> {
  const kv = await store.get(objectKey(def, namespace, name));
  return kv ? { obj: decodeObject(kv), kv } : undefined;
}
