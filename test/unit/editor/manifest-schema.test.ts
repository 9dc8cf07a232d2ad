// The editor's JSON schema from OpenAPI v3: the project's own /openapi/v3 document for apps/v1
// and v1 (what a cluster serves) turned into one root schema that picks each document's kind.
import { describe, expect, it } from 'vitest';
import { openAPIV3GroupVersion } from '../../../src-main/api/openapi/v3.ts';
import type { ServedKind as OpenAPIServedKind } from '../../../src-main/api/openapi/served.ts';
import { convertSchema, manifestSchema, type ServedKind } from '../../../src-main/editor/manifest-schema.ts';

type Json = Record<string, any>;

const served: OpenAPIServedKind[] = [
  { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true, subresources: ['status', 'scale'] },
  { group: '', version: 'v1', kind: 'Service', resource: 'services', namespaced: true, subresources: ['status'] },
  { group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true, subresources: [] },
];
const kinds: ServedKind[] = [
  { apiVersion: 'apps/v1', kind: 'Deployment', resource: 'deployments', namespaced: true },
  { apiVersion: 'v1', kind: 'Service', resource: 'services', namespaced: true },
  { apiVersion: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true },
];

function components(): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const gv of ['api/v1', 'apis/apps/v1']) {
    const doc = openAPIV3GroupVersion(served, gv);
    if (!doc) throw new Error(`no document for ${gv}`);
    Object.assign(out, JSON.parse(doc.body.toString()).components.schemas);
  }
  return out;
}

function refs(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, into));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') into.push(v);
      else refs(v, into);
    }
  }
  return into;
}

describe('manifest schema', () => {
  const { schema, kinds: listed } = manifestSchema(components(), kinds);
  const defs = schema.definitions as Json;

  it('completes apiVersion and kind from the served kinds only, and requires them', () => {
    expect(schema.required).toEqual(['apiVersion', 'kind']);
    expect((schema.properties as Json).apiVersion.enum).toEqual(['apps/v1', 'v1']);
    expect((schema.properties as Json).kind.enum).toEqual(['ConfigMap', 'Deployment', 'Service']);
    // Pod is in the v1 document's schemas but not served here: no branch for it.
    expect(listed.map((k) => k.kind)).toEqual(['ConfigMap', 'Deployment', 'Service']);
  });

  it('validates each document against its own kind with if/then on apiVersion and kind', () => {
    const deployment = (schema.allOf as Json[]).find((b) => b.if.properties.kind?.const === 'Deployment')!;
    expect(deployment.if).toEqual({ properties: { apiVersion: { const: 'apps/v1' }, kind: { const: 'Deployment' } }, required: ['apiVersion', 'kind'] });
    expect(deployment.then).toEqual({ $ref: '#/definitions/io.k8s.api.apps.v1.Deployment' });
    // The kinds each apiVersion serves: Deployment is not a v1 kind.
    const v1 = (schema.allOf as Json[]).find((b) => b.if.properties.apiVersion.const === 'v1' && !b.if.properties.kind)!;
    expect(v1.then.properties.kind.enum).toEqual(['ConfigMap', 'Service']);
  });

  it('resolves every $ref into the definitions', () => {
    const all = refs(schema);
    expect(all.length).toBeGreaterThan(100);
    for (const ref of all) {
      expect(ref.startsWith('#/definitions/')).toBe(true);
      expect(defs[ref.slice('#/definitions/'.length)], ref).toBeDefined();
    }
  });

  it('keeps descriptions and required fields; closes objects as the server does', () => {
    const spec = defs['io.k8s.api.apps.v1.DeploymentSpec'];
    expect(spec.required).toEqual(expect.arrayContaining(['selector', 'template']));
    expect(spec.properties.replicas.description).toMatch(/desired pods/);
    expect(spec.additionalProperties).toBe(false);
    expect(defs['io.k8s.api.core.v1.ServicePort'].properties.protocol.description).toMatch(/Default is TCP/);
    // targetPort is an IntOrString: a number or a port name.
    expect(defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].anyOf).toEqual([{ type: 'integer' }, { type: 'string' }]);
    // Maps stay open to any key.
    expect(defs['io.k8s.api.core.v1.ConfigMap'].properties.data.additionalProperties).toEqual({ type: 'string' });
  });

  it('converts the OpenAPI extensions and spellings, keeping enums and defaults (newer servers list them)', () => {
    expect(convertSchema({ type: 'string', enum: ['TCP', 'UDP'], default: 'TCP', description: 'd' })).toEqual({ type: 'string', enum: ['TCP', 'UDP'], default: 'TCP', description: 'd' });
    expect(convertSchema({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } }).additionalProperties).toBe(true);
    expect(convertSchema({ 'x-kubernetes-int-or-string': true })).toEqual({ anyOf: [{ type: 'integer' }, { type: 'string' }] });
    expect(convertSchema({ type: 'string', format: 'int-or-string' })).toEqual({ anyOf: [{ type: 'integer' }, { type: 'string' }] });
    expect(convertSchema({ type: 'string', nullable: true, format: 'byte' })).toEqual({ type: ['string', 'null'] });
    expect(convertSchema({ allOf: [{ $ref: '#/components/schemas/X' }], default: {} })).toEqual({ allOf: [{ $ref: '#/definitions/X' }], default: {} });
  });
});
