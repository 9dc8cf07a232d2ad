import { describe, expect, it } from 'vitest';
import { openAPIV3GroupVersion, openAPIV3Index } from '../../../../src-main/api/openapi/v3.ts';
import { documentHash } from '../../../../src-main/api/openapi/hash.ts';
import { SERVED } from './served-fixture.ts';

type Json = Record<string, any>;

function document(gv: string): Json {
  const doc = openAPIV3GroupVersion(SERVED, gv);
  if (!doc) throw new Error(`no document for ${gv}`);
  return JSON.parse(doc.body.toString('utf8')) as Json;
}

function refs(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, into);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref') into.push(v as string);
      else refs(v, into);
    }
  }
  return into;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

describe('GET /openapi/v3', () => {
  it('lists every served group-version with a URL carrying the hash of its document', () => {
    const index = openAPIV3Index(SERVED);
    for (const gv of ['api/v1', 'apis/apps/v1', 'apis/batch/v1', 'apis/autoscaling/v1', 'apis/autoscaling/v2', 'apis/rbac.authorization.k8s.io/v1',
      'apis/coordination.k8s.io/v1', 'apis/discovery.k8s.io/v1']) {
      const doc = openAPIV3GroupVersion(SERVED, gv);
      expect(doc, gv).toBeDefined();
      expect(index.paths[gv]?.serverRelativeURL).toBe(`/openapi/v3/${gv}?hash=${documentHash(doc!.body)}`);
      expect(doc!.etag).toBe(`"${doc!.hash}"`);
    }
    expect(index.paths['apis/apps/v1']?.serverRelativeURL).toMatch(/\?hash=[0-9A-F]{128}$/);
    expect(Object.keys(index.paths).filter((k) => k.startsWith('apis/networking'))).toEqual([]);
    expect(index.paths['apis/policy/v1']).toBeUndefined();
  });

  it('has no document for group-versions that are not served', () => {
    expect(openAPIV3GroupVersion(SERVED, 'apis/apps/v1beta1')).toBeUndefined();
    expect(openAPIV3GroupVersion(SERVED, 'apis/networking.k8s.io/v1')).toBeUndefined();
    expect(openAPIV3GroupVersion(SERVED, 'apis/batch/v1beta1')).toBeUndefined();
  });

  it('gives the same bytes for the same served list (stable hash)', () => {
    const a = openAPIV3GroupVersion(SERVED, 'apis/apps/v1');
    const b = openAPIV3GroupVersion([...SERVED].reverse(), '/apis/apps/v1/');
    expect(b?.hash).toBe(a?.hash);
  });
});

describe('GET /openapi/v3/apis/apps/v1', () => {
  const doc = document('apis/apps/v1');
  const schemas = doc.components.schemas as Json;

  it('is an OpenAPI 3.0 document with the apps/v1 paths of served resources only', () => {
    expect(doc.openapi).toBe('3.0.0');
    const paths = Object.keys(doc.paths);
    expect(paths).toContain('/apis/apps/v1/namespaces/{namespace}/deployments/{name}');
    expect(paths).toContain('/apis/apps/v1/namespaces/{namespace}/replicasets/{name}/scale');
    expect(paths).toContain('/apis/apps/v1/daemonsets');
    expect(paths.every((p) => p.startsWith('/apis/apps/v1/'))).toBe(true);
    expect(paths.some((p) => p.includes('statefulsets') || p.includes('controllerrevisions'))).toBe(false);
    expect(paths).not.toContain('/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}/scale');
  });

  it('has the Deployment schema with its GVK, and fields wrapped as allOf when a $ref has a description', () => {
    const deployment = schemas['io.k8s.api.apps.v1.Deployment'];
    expect(deployment['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    expect(deployment.properties.spec).toEqual({
      allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }],
      description: expect.stringMatching(/desired behavior/),
    });
    const containers = schemas['io.k8s.api.core.v1.PodSpec'].properties.containers;
    expect(containers.items).toEqual({ $ref: '#/components/schemas/io.k8s.api.core.v1.Container' });
    expect(containers['x-kubernetes-patch-merge-key']).toBe('name');
    expect(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].oneOf).toEqual([{ type: 'integer' }, { type: 'string' }]);
  });

  it('resolves every $ref within its own components, and carries no unreachable schemas', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(100);
    for (const ref of all) {
      expect(ref.startsWith('#/components/schemas/'), ref).toBe(true);
      expect(schemas[ref.slice('#/components/schemas/'.length)], ref).toBeDefined();
    }
    expect(schemas['io.k8s.api.apps.v1.StatefulSet']).toBeUndefined();
    expect(schemas['io.k8s.api.networking.v1.Ingress']).toBeUndefined();
  });

  it('lists fieldValidation on every PATCH, PUT and POST operation', () => {
    let patches = 0;
    for (const item of Object.values(doc.paths) as Json[]) {
      for (const method of ['patch', 'put', 'post']) {
        if (!item[method]) continue;
        if (method === 'patch') patches++;
        expect(item[method].parameters.map((p: Json) => p.name)).toContain('fieldValidation');
      }
    }
    // deployments, replicasets: object, status, scale; daemonsets: object, status.
    expect(patches).toBe(8);
  });

  it('converts parameters, bodies and responses to OpenAPI 3 form', () => {
    const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'] as Json;
    expect(item.parameters).toContainEqual(expect.objectContaining({ name: 'namespace', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } }));
    const patch = item.patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', kind: 'Deployment', version: 'v1' });
    expect(patch['x-kubernetes-action']).toBe('patch');
    expect(patch.parameters).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }));
    expect(patch.parameters.some((p: Json) => p.in === 'body' || p.$ref)).toBe(false);
    expect(Object.keys(patch.requestBody.content)).toEqual(expect.arrayContaining([
      'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']));
    expect(patch.requestBody.required).toBe(true);
    expect(patch.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/io.k8s.api.apps.v1.Deployment' });
    expect(patch.responses['401']).toEqual({ description: 'Unauthorized' });
    expect(patch.consumes).toBeUndefined();
    expect(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'].post.requestBody.content['*/*'].schema)
      .toEqual({ $ref: '#/components/schemas/io.k8s.api.apps.v1.Deployment' });
    for (const it of Object.values(doc.paths) as Json[]) for (const m of METHODS) for (const p of it[m]?.parameters ?? []) expect(p.schema, `${m} ${p.name}`).toBeDefined();
  });
});

describe('every served OpenAPI v3 document', () => {
  it('resolves all $refs locally and never gives a $ref siblings (OpenAPI 3.0 ignores them)', () => {
    for (const key of Object.keys(openAPIV3Index(SERVED).paths)) {
      const doc = document(key);
      const walk = (value: unknown, where: string): void => {
        if (Array.isArray(value)) { value.forEach((v, i) => walk(v, `${where}[${i}]`)); return; }
        if (!value || typeof value !== 'object') return;
        const obj = value as Json;
        if (typeof obj.$ref === 'string') {
          expect(Object.keys(obj), where).toEqual(['$ref']);
          expect(doc.components.schemas[obj.$ref.replace('#/components/schemas/', '')], `${key} ${obj.$ref}`).toBeDefined();
        }
        for (const [k, v] of Object.entries(obj)) if (!k.startsWith('x-')) walk(v, `${where}.${k}`);
      };
      walk(doc, key);
    }
  });
});

describe('GET /openapi/v3/api/v1', () => {
  it('serves core resources and their served subresources only', () => {
    const doc = document('api/v1');
    const paths = Object.keys(doc.paths);
    expect(paths).toContain('/api/v1/namespaces/{namespace}/pods/{name}/log');
    expect(paths).toContain('/api/v1/namespaces/{namespace}/pods/{name}/binding');
    expect(paths).toContain('/api/v1/namespaces/{name}/finalize');
    expect(paths).toContain('/api/v1/nodes/{name}/status');
    expect(paths).not.toContain('/api/v1/nodes/{name}/proxy');
    expect(paths).not.toContain('/api/v1/namespaces/{namespace}/pods/{name}/eviction');
    expect(paths.some((p) => p.includes('persistentvolume') || p.includes('replicationcontrollers'))).toBe(false);
    expect(doc.components.schemas['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind']).toEqual([{ group: '', kind: 'Pod', version: 'v1' }]);
    expect(doc.components.securitySchemes.BearerToken).toEqual(expect.objectContaining({ type: 'apiKey', in: 'header', name: 'authorization' }));
  });
});
