// The field table: for each protobuf message Kubelab decodes, field number -> JSON name, type and
// cardinality. It is data derived from upstream's generated.proto files (see
// assets/protobuf/README.md), loaded once on first use.
import { readFileSync } from 'node:fs';
import { assetPath } from '../../paths.ts';

/**
 * [jsonName, type, mode, map value type, flags]. mode "" | "repeated" | "map" (then `type` is the
 * key type) | "inline" (a Go embedded struct whose fields JSON puts in the parent). flags "o": a
 * non-pointer omitempty scalar, which Go's JSON leaves out when zero.
 */
export type FieldSpec = [name: string, type: string, mode: '' | 'repeated' | 'map' | 'inline', valueType?: string, flags?: string];
export type MessageSpec = Record<string, FieldSpec>;
export type TypeTable = Record<string, MessageSpec>;

let table: TypeTable | undefined;

export function typeTable(): TypeTable {
  table ??= JSON.parse(readFileSync(assetPath('protobuf', 'kubernetes-types.json'), 'utf8')) as TypeTable;
  return table;
}

export const metaV1 = 'k8s.io.apimachinery.pkg.apis.meta.v1';
export const core = 'k8s.io.api.core.v1';

/** Kinds from meta/v1 that every group version registers (client-go tags them with the group's version). */
const metaKinds = new Set(['DeleteOptions', 'ListOptions', 'GetOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions', 'Status', 'WatchEvent']);

/** API groups whose proto package is not simply the group's first label. */
const groupPackages: Record<string, string> = {
  '': 'core',
  'meta.k8s.io': 'meta',
};

/** The full message name for an apiVersion + kind, or undefined when it is not in the table. */
export function messageFor(apiVersion: string, kind: string, types: TypeTable = typeTable()): string | undefined {
  if (metaKinds.has(kind)) return `${metaV1}.${kind}`;
  const slash = apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  if (!/^[a-z0-9]+$/.test(version) || !/^[a-z0-9.-]*$/.test(group)) return undefined;
  const pkg = groupPackages[group] ?? group.split('.')[0];
  const name = pkg === 'meta' ? `k8s.io.apimachinery.pkg.apis.meta.${version}.${kind}` : `k8s.io.api.${pkg}.${version}.${kind}`;
  // Only whole objects (field 1 is their metadata) are kinds; PodSpec or ObjectMeta are not.
  return Object.hasOwn(types, name) && types[name][1]?.[0] === 'metadata' ? name : undefined;
}
