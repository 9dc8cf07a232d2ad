// Drives a ResourceDefinition the way the generic API layer does on create and update, so the
// kind tests see what a client would read back or be refused with.
import { IPRangeAllocator, PortRangeAllocator } from '../../../../src-main/api/allocator.ts';
import type { FieldError } from '../../../../src-main/api/field-errors.ts';
import type { KubeObject, ResourceDefinition, StrategyContext } from '../../../../src-main/api/resources/types.ts';

export function strategyContext(dryRun = false): StrategyContext & { allocators: { clusterIP: IPRangeAllocator; nodePort: PortRangeAllocator } } {
  return { allocators: { clusterIP: new IPRangeAllocator('10.43.0.0/16'), nodePort: new PortRangeAllocator(30000, 32767) }, dryRun };
}

const versionOf = (apiVersion: string | undefined) => (apiVersion ?? '').split('/').pop() ?? '';

/** Create: conversion to storage, metadata, defaults, status rules, prepareForCreate, validate. */
export async function create(def: ResourceDefinition, manifest: unknown, ctx: StrategyContext = strategyContext()): Promise<{ obj: KubeObject; errors: FieldError[] }> {
  let obj = structuredClone(manifest) as KubeObject;
  const served = def.versions.find((v) => v.version === versionOf(obj.apiVersion));
  if (served?.toStorage) obj = served.toStorage(obj);
  obj.metadata ??= {};
  if (def.namespaced && !obj.metadata.namespace) obj.metadata.namespace = 'default';
  obj.metadata.uid = 'uid-1';
  obj.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
  def.defaults?.(obj);
  if (def.subresources?.status) {
    delete obj.status;
    obj.metadata.generation = 1;
  }
  await def.prepareForCreate?.(obj, ctx);
  const errors = def.validate?.(obj) ?? [];
  return { obj, errors };
}

/** Update: defaults, status kept, prepareForUpdate, validate + validateUpdate. */
export async function update(def: ResourceDefinition, next: unknown, old: KubeObject, ctx: StrategyContext = strategyContext()): Promise<{ obj: KubeObject; errors: FieldError[] }> {
  const obj = structuredClone(next) as KubeObject;
  // The server keeps what the URL and the stored object fix: namespace, uid, creation time.
  obj.metadata = { ...obj.metadata, namespace: old.metadata.namespace, uid: old.metadata.uid, creationTimestamp: old.metadata.creationTimestamp };
  def.defaults?.(obj);
  if (def.subresources?.status) obj.status = structuredClone(old.status);
  await def.prepareForUpdate?.(obj, old, ctx);
  const errors = [...(def.validate?.(obj) ?? []), ...(def.validateUpdate?.(obj, old) ?? [])];
  return { obj, errors };
}

export const fields = (errors: FieldError[]): string[] => errors.map((e) => e.field);
