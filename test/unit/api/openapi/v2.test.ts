import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { parse as parseYAML } from 'yaml';
import { openAPIV2, OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_DOTTED } from '../../../../src-main/api/openapi/v2.ts';
import { openAPIDocument } from '../../../../src-main/api/openapi/spec.ts';
import { SERVED } from './served-fixture.ts';

// Decoded with protobufjs and a .proto written from gnostic's openapi.v2 field numbers: what
// kubectl <= 1.28 does with the same bytes (with Go's protobuf and gnostic's generated code).
const root = protobuf.loadSync(fileURLToPath(new URL('./openapiv2-subset.proto', import.meta.url)));
const DocumentType = root.lookupType('openapi.v2.Document');

interface NamedAny { name: string; value: { yaml: string } }
interface Schema {
  _ref?: string;
  description?: string;
  type?: { value: string[] };
  format?: string;
  properties?: { additionalProperties: { name: string; value: Schema }[] };
  items?: { schema: Schema[] };
  additionalProperties?: { schema?: Schema; boolean?: boolean };
  vendorExtension?: NamedAny[];
}
interface Param {
  parameter?: {
    bodyParameter?: { name: string; in: string; required?: boolean; schema: Schema };
    nonBodyParameter?: { queryParameterSubSchema?: { name: string; in: string; type: string; uniqueItems?: boolean }; pathParameterSubSchema?: { name: string; required?: boolean } };
  };
  jsonReference?: { _ref: string };
}
interface Operation { operationId: string; parameters?: Param[]; vendorExtension?: NamedAny[]; consumes?: string[]; responses: { responseCode: { name: string; value: { response?: { description: string; schema?: { schema: Schema } } } }[] } }
interface Decoded {
  swagger: string;
  paths: { path: { name: string; value: { get?: Operation; patch?: Operation; post?: Operation; parameters?: Param[] } }[] };
  definitions: { additionalProperties: { name: string; value: Schema }[] };
  parameters: { additionalProperties: { name: string; value: Param['parameter'] }[] };
  security: { additionalProperties: { name: string }[] }[];
  securityDefinitions: { additionalProperties: { name: string; value: { apiKeySecurity: { type: string; name: string; in: string } } }[] };
}

function decode(body: Buffer): Decoded {
  return DocumentType.toObject(DocumentType.decode(body), { defaults: false }) as unknown as Decoded;
}

const extension = (list: NamedAny[] | undefined, name: string): unknown => {
  const found = list?.find((e) => e.name === name);
  return found ? parseYAML(found.value.yaml) : undefined;
};
const property = (s: Schema, name: string) => s.properties?.additionalProperties.find((p) => p.name === name)?.value;

describe('GET /openapi/v2 as protobuf', () => {
  const response = openAPIV2(SERVED, OPENAPI_V2_PROTOBUF);
  const doc = decode(response.body);
  const definition = (name: string) => doc.definitions.additionalProperties.find((d) => d.name === name)?.value as Schema;
  const path = (name: string) => doc.paths.path.find((p) => p.name === name)?.value;

  it('answers either protobuf spelling with the one Go can parse as a media type (no "@")', () => {
    expect(response.contentType).toBe(OPENAPI_V2_PROTOBUF_DOTTED);
    expect(openAPIV2(SERVED, OPENAPI_V2_PROTOBUF_DOTTED).contentType).toBe(OPENAPI_V2_PROTOBUF_DOTTED);
    expect(doc.swagger).toBe('2.0');
  });

  it('keeps every upstream definition', () => {
    expect(doc.definitions.additionalProperties.length).toBe(Object.keys(openAPIDocument().definitions).length);
  });

  it('keeps schemas: types, refs with descriptions, items, maps', () => {
    const deployment = definition('io.k8s.api.apps.v1.Deployment');
    expect(deployment.type?.value).toEqual(['object']);
    expect(property(deployment, 'spec')?._ref).toBe('#/definitions/io.k8s.api.apps.v1.DeploymentSpec');
    expect(property(deployment, 'spec')?.description).toMatch(/desired behavior/);
    const replicas = property(definition('io.k8s.api.apps.v1.DeploymentSpec'), 'replicas');
    expect(replicas?.type?.value).toEqual(['integer']);
    expect(replicas?.format).toBe('int32');
    const containers = property(definition('io.k8s.api.core.v1.PodSpec'), 'containers');
    expect(containers?.items?.schema[0]._ref).toBe('#/definitions/io.k8s.api.core.v1.Container');
    const labels = property(definition('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'), 'labels');
    expect(labels?.additionalProperties?.schema?.type?.value).toEqual(['string']);
  });

  it('keeps vendor extensions readable as YAML: group-version-kind and patch strategy', () => {
    expect(extension(definition('io.k8s.api.apps.v1.Deployment').vendorExtension, 'x-kubernetes-group-version-kind'))
      .toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    const containers = property(definition('io.k8s.api.core.v1.PodSpec'), 'containers') as Schema;
    expect(extension(containers.vendorExtension, 'x-kubernetes-patch-merge-key')).toBe('name');
    expect(extension(containers.vendorExtension, 'x-kubernetes-patch-strategy')).toBe('merge');
  });

  it('lists the paths of served resources and subresources only', () => {
    const names = doc.paths.path.map((p) => p.name);
    expect(names).toContain('/apis/apps/v1/namespaces/{namespace}/deployments/{name}');
    expect(names).toContain('/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale');
    expect(names).toContain('/api/v1/namespaces/{name}/status');
    expect(names).toContain('/api/v1/namespaces/{namespace}/pods/{name}/log');
    expect(names).toContain('/apis/autoscaling/v1/namespaces/{namespace}/horizontalpodautoscalers');
    expect(names).toContain('/apis/autoscaling/v2/namespaces/{namespace}/horizontalpodautoscalers');
    expect(names).toContain('/api/v1/watch/pods');
    expect(names).not.toContain('/apis/apps/v1/namespaces/{namespace}/statefulsets');
    expect(names).not.toContain('/api/v1/persistentvolumes');
    expect(names).not.toContain('/api/v1/namespaces/{namespace}/pods/{name}/proxy');
    expect(names.some((n) => n.startsWith('/apis/networking.k8s.io/'))).toBe(false);
  });

  it('encodes the PATCH operation as kubectl reads it: GVK extension and the fieldValidation query parameter', () => {
    const patch = path('/apis/apps/v1/namespaces/{namespace}/deployments/{name}')?.patch as Operation;
    expect(patch.operationId).toBe('patchAppsV1NamespacedDeployment');
    expect(extension(patch.vendorExtension, 'x-kubernetes-group-version-kind')).toEqual({ group: 'apps', kind: 'Deployment', version: 'v1' });
    const query = patch.parameters?.map((p) => p.parameter?.nonBodyParameter?.queryParameterSubSchema).filter((q) => q !== undefined);
    expect(query).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query', type: 'string' }));
    expect(patch.parameters?.some((p) => p.jsonReference?._ref === '#/parameters/body-78PwaGsr')).toBe(true);
    expect(patch.consumes).toContain('application/strategic-merge-patch+json');
    const ok = patch.responses.responseCode.find((r) => r.name === '200')?.value.response;
    expect(ok?.schema?.schema._ref).toBe('#/definitions/io.k8s.api.apps.v1.Deployment');
  });

  it('encodes path parameters and shared parameters', () => {
    const item = path('/apis/apps/v1/namespaces/{namespace}/deployments/{name}');
    expect(item?.parameters?.[0].parameter?.nonBodyParameter?.pathParameterSubSchema).toEqual(expect.objectContaining({ name: 'name', required: true }));
    const body = doc.parameters.additionalProperties.find((p) => p.name === 'body-78PwaGsr')?.value?.bodyParameter;
    expect(body).toEqual(expect.objectContaining({ name: 'body', in: 'body', required: true }));
    expect(body?.schema._ref).toBe('#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
  });

  it('keeps bearer-token security', () => {
    expect(doc.security[0].additionalProperties[0].name).toBe('BearerToken');
    expect(doc.securityDefinitions.additionalProperties[0].value.apiKeySecurity).toEqual(expect.objectContaining({ type: 'apiKey', name: 'authorization', in: 'header' }));
  });
});

describe('GET /openapi/v2 as JSON', () => {
  it('is JSON without an Accept header, for */*, and when JSON is preferred', () => {
    for (const accept of [undefined, '*/*', 'application/json', `application/json, ${OPENAPI_V2_PROTOBUF};q=0.5`]) {
      expect(openAPIV2(SERVED, accept).contentType).toBe('application/json');
    }
    expect(openAPIV2(SERVED, `application/json;q=0.5, ${OPENAPI_V2_PROTOBUF}`).contentType).toBe(OPENAPI_V2_PROTOBUF_DOTTED);
  });

  it('holds the same paths and all definitions', () => {
    const json = JSON.parse(openAPIV2(SERVED, 'application/json').body.toString('utf8')) as { swagger: string; paths: Record<string, unknown>; definitions: Record<string, unknown> };
    const proto = decode(openAPIV2(SERVED, OPENAPI_V2_PROTOBUF).body);
    expect(json.swagger).toBe('2.0');
    expect(Object.keys(json.paths).sort()).toEqual(proto.paths.path.map((p) => p.name).sort());
    expect(Object.keys(json.definitions).length).toBe(Object.keys(openAPIDocument().definitions).length);
  });

  it('has a stable, quoted ETag per representation and is computed once', () => {
    const a = openAPIV2(SERVED, undefined);
    const b = openAPIV2([...SERVED].reverse(), undefined);
    expect(a.etag).toMatch(/^"[0-9A-F]{128}"$/);
    expect(b.body).toBe(a.body);
    expect(openAPIV2(SERVED, OPENAPI_V2_PROTOBUF).etag).not.toBe(a.etag);
    const fewer = openAPIV2(SERVED.filter((s) => s.group !== 'apps'), undefined);
    expect(fewer.etag).not.toBe(a.etag);
    expect(Object.keys(JSON.parse(fewer.body.toString()).paths).some((p: string) => p.startsWith('/apis/apps/'))).toBe(false);
  });
});
