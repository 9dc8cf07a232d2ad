// Where strategic merge patch learns how to merge a field: the OpenAPI document's
// x-kubernetes-patch-strategy and x-kubernetes-patch-merge-key, the same facts upstream reads
// from the Go struct tags (`patchStrategy:"merge" patchMergeKey:"name"`).
import { resolveSchema, type Schema } from '../openapi/spec.ts';

export interface FieldPatchMeta {
  /** The field's own schema, resolved; undefined where the schema says nothing. */
  schema: Schema | undefined;
  /** The schema of a list field's items, resolved. */
  itemSchema: Schema | undefined;
  /** 'merge', 'replace' or '' (the default: maps merge, lists are replaced). */
  strategy: string;
  /** The key that identifies the items of a merging list of maps ('' for lists of scalars). */
  mergeKey: string;
}

const unknownField: FieldPatchMeta = { schema: undefined, itemSchema: undefined, strategy: '', mergeKey: '' };

/**
 * The strategy apart from retainKeys: "merge,retainKeys" merges, "retainKeys" alone is the
 * default. retainKeys itself only matters through the $retainKeys directive the client sends.
 */
function mainStrategy(strategies: string | undefined): string {
  return (strategies ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s && s !== 'retainKeys')[0] ?? '';
}

/** How the member `key` of an object with schema `parent` is patched. */
export function fieldPatchMeta(parent: Schema | undefined, key: string): FieldPatchMeta {
  const resolved = resolveSchema(parent);
  if (!resolved) return unknownField;
  // The patch extensions sit next to the $ref on the property, so read them before resolving.
  let raw: Schema | undefined;
  if (resolved.properties && Object.hasOwn(resolved.properties, key)) raw = resolved.properties[key];
  else if (resolved.additionalProperties && typeof resolved.additionalProperties === 'object') raw = resolved.additionalProperties;
  if (!raw) return unknownField;
  const schema = resolveSchema(raw);
  return {
    schema,
    itemSchema: resolveSchema(schema?.items),
    strategy: mainStrategy(raw['x-kubernetes-patch-strategy'] ?? schema?.['x-kubernetes-patch-strategy']),
    mergeKey: raw['x-kubernetes-patch-merge-key'] ?? schema?.['x-kubernetes-patch-merge-key'] ?? '',
  };
}
