// The upstream Kubernetes OpenAPI v2 document (assets/openapi/kubernetes-swagger.json, release
// 1.36), loaded once: the source of schemas for /openapi/v2 and /openapi/v3, of patch-merge keys
// for strategic merge patch, of list types for server-side apply, and of the editor's schemas.
import { readFileSync } from 'node:fs';
import { assetPath } from '../../paths.ts';

export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  enum?: unknown[];
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-unions'?: unknown[];
  [extension: `x-${string}`]: unknown;
}

export interface SwaggerDocument {
  swagger: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  definitions: Record<string, Schema>;
  parameters?: Record<string, unknown>;
  security?: unknown[];
  securityDefinitions?: Record<string, unknown>;
}

let document: SwaggerDocument | undefined;
let byGVK: Map<string, string> | undefined;

export function openAPIDocument(): SwaggerDocument {
  document ??= JSON.parse(readFileSync(assetPath('openapi', 'kubernetes-swagger.json'), 'utf8')) as SwaggerDocument;
  return document;
}

const gvkKey = (group: string, version: string, kind: string) => `${group}/${version}/${kind}`;

/** The definition name (`io.k8s.api.apps.v1.Deployment`) of a group/version/kind. */
export function definitionNameFor(group: string, version: string, kind: string): string | undefined {
  if (!byGVK) {
    byGVK = new Map();
    for (const [name, schema] of Object.entries(openAPIDocument().definitions)) {
      for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) {
        // Several definitions can claim one GVK (DeleteOptions, WatchEvent); the first one wins
        // unless a later one is the kind's own definition.
        const key = gvkKey(gvk.group, gvk.version, gvk.kind);
        if (!byGVK.has(key) || name.endsWith(`.${gvk.kind}`)) byGVK.set(key, name);
      }
    }
  }
  return byGVK.get(gvkKey(group, version, kind));
}

export function schemaFor(group: string, version: string, kind: string): Schema | undefined {
  const name = definitionNameFor(group, version, kind);
  return name ? openAPIDocument().definitions[name] : undefined;
}

/** Follows $ref (`#/definitions/...`) until a schema with content. */
export function resolveSchema(schema: Schema | undefined): Schema | undefined {
  let s = schema;
  for (let i = 0; s?.$ref && i < 16; i++) s = openAPIDocument().definitions[s.$ref.replace('#/definitions/', '')];
  return s;
}

/** The schema of a property of an object schema, resolved. */
export function propertySchema(schema: Schema | undefined, name: string): Schema | undefined {
  const s = resolveSchema(schema);
  if (!s) return undefined;
  if (s.properties?.[name]) return resolveSchema(s.properties[name]);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') return resolveSchema(s.additionalProperties);
  return undefined;
}
