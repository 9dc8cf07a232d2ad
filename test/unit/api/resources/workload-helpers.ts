// Test helpers for the workload kinds: upstream example manifests by kind, and a stand-in for the
// generic create/update path of the API server (metadata, defaults, strategy, validation).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { formatFieldError, type FieldError } from '../../../../src-main/api/field-errors.ts';
import type { Allocator, KubeObject, ResourceDefinition, StrategyContext } from '../../../../src-main/api/resources/types.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const examplesDir = resolve(repoRoot, '../shared/k8s-examples');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : /\.ya?ml$/.test(name) ? [p] : [];
  });
}

/** Every document of the given kind in the examples, with the file it came from. */
export function examplesOfKind(kind: string): { file: string; obj: KubeObject }[] {
  const out: { file: string; obj: KubeObject }[] = [];
  for (const file of walk(examplesDir)) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const obj = doc.toJS() as KubeObject | null;
      if (obj && obj.kind === kind) out.push({ file: relative(examplesDir, file), obj });
    }
  }
  return out;
}

const noAllocator: Allocator = { reserve: () => true, allocateNext: () => undefined, release: () => {}, contains: () => false, range: '' };
export const ctx: StrategyContext = { allocators: { clusterIP: noAllocator, nodePort: noAllocator }, dryRun: false };

let uidCounter = 0;

/** What the server does on create, without the store: returns the stored object and the errors. */
export async function create(def: ResourceDefinition, input: KubeObject): Promise<{ obj: KubeObject; errors: FieldError[] }> {
  const obj = structuredClone(input);
  obj.metadata ??= {};
  if (def.namespaced) obj.metadata.namespace ??= 'default';
  if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = `${obj.metadata.generateName}x7k2p`;
  obj.metadata.uid = `00000000-0000-4000-8000-${String(++uidCounter).padStart(12, '0')}`;
  obj.metadata.creationTimestamp = '2024-01-01T00:00:00Z';
  def.defaults?.(obj);
  if (def.subresources?.status) {
    delete obj.status;
    obj.metadata.generation = 1;
  }
  await def.prepareForCreate?.(obj, ctx);
  return { obj, errors: def.validate?.(obj) ?? [] };
}

/** What the server does on update of the main resource. */
export async function update(def: ResourceDefinition, input: KubeObject, old: KubeObject): Promise<{ obj: KubeObject; errors: FieldError[] }> {
  const obj = structuredClone(input);
  def.defaults?.(obj);
  if (def.subresources?.status) obj.status = structuredClone(old.status);
  await def.prepareForUpdate?.(obj, old, ctx);
  const errors = [...(def.validate?.(obj) ?? []), ...(def.validateUpdate?.(obj, old) ?? [])];
  return { obj, errors };
}

/** Errors as kubectl prints them, for readable assertions. */
export const messages = (errors: FieldError[]) => errors.map(formatFieldError);
export const fields = (errors: FieldError[]) => errors.map((e) => e.field);
