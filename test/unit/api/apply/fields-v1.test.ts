import { describe, expect, it } from 'vitest';
import { decodeFieldsV1, encodeFieldsV1, fieldSetOf, FieldSet, pathString, serverSideApply } from '../../../../src-main/api/apply/index.ts';
import { schemaFor } from '../../../../src-main/api/openapi/spec.ts';
import { deployment, deploymentSchema, entryOf, t0 } from './fixtures.ts';

const containerKey = 'k:{"name":"web"}';
const portKey = 'k:{"containerPort":80,"protocol":"TCP"}';

describe('FieldsV1 of a Deployment', () => {
  const obj = deployment({ replicas: 2, labels: { app: 'web' }, env: [{ name: 'B', value: '2' }, { name: 'A', value: '1' }] });

  it('keys containers by name, ports by containerPort+protocol and env by name, in upstream order', () => {
    const applied = serverSideApply({ live: undefined, applied: obj, manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t0, schema: deploymentSchema });
    const entry = entryOf(applied, 'kubectl', 'Apply');
    const expected = {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              [containerKey]: {
                '.': {},
                'f:env': {
                  'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} },
                  'k:{"name":"B"}': { '.': {}, 'f:name': {}, 'f:value': {} },
                },
                'f:image': {},
                'f:name': {},
                'f:ports': { [portKey]: { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
              },
            },
          },
        },
      },
    };
    // Byte for byte, so that key order (".", fields sorted, then keys) is checked too.
    expect(JSON.stringify(entry?.fieldsV1)).toBe(JSON.stringify(expected));
    expect(entry).toMatchObject({ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: '2026-11-25T04:00:00Z', fieldsType: 'FieldsV1' });
  });

  it('owns name and namespace in the raw set but never in managedFields', () => {
    const set = fieldSetOf(obj, deploymentSchema);
    expect(set.has([{ field: 'metadata' }, { field: 'name' }])).toBe(true);
    const applied = serverSideApply({ live: undefined, applied: obj, manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: t0, schema: deploymentSchema });
    const fields = JSON.stringify(entryOf(applied, 'kubectl')?.fieldsV1);
    expect(fields).not.toContain('f:name":{},"f:namespace');
    expect(fields).not.toContain('f:apiVersion');
    expect(fields).not.toContain('f:kind');
  });

  it('decodes what it encodes, whatever order a client wrote the key fields in', () => {
    const set = fieldSetOf(obj, deploymentSchema);
    expect(encodeFieldsV1(decodeFieldsV1(encodeFieldsV1(set)))).toEqual(encodeFieldsV1(set));
    const fromClient = decodeFieldsV1({ 'f:ports': { 'k:{"protocol":"TCP","containerPort":80}': { '.': {}, 'f:protocol': {} } } });
    expect(fromClient.has([{ field: 'ports' }, { key: { containerPort: 80, protocol: 'TCP' } }])).toBe(true);
    expect(fromClient.has([{ field: 'ports' }, { key: { containerPort: 80, protocol: 'TCP' } }, { field: 'protocol' }])).toBe(true);
  });

  it('rejects malformed FieldsV1', () => {
    expect(() => decodeFieldsV1({ 'x:spec': {} })).toThrow();
    expect(() => decodeFieldsV1({ 'f:spec': 1 })).toThrow();
    expect(() => decodeFieldsV1({ 'k:notjson': {} })).toThrow();
    expect(() => decodeFieldsV1([])).toThrow();
  });

  it('prints paths as upstream does in conflict messages', () => {
    expect(pathString([{ field: 'spec' }, { field: 'replicas' }])).toBe('.spec.replicas');
    expect(pathString([{ field: 'containers' }, { key: { name: 'web' } }, { field: 'image' }])).toBe('.containers[name="web"].image');
    expect(pathString([{ field: 'ports' }, { key: { protocol: 'TCP', containerPort: 80 } }])).toBe('.ports[containerPort=80,protocol="TCP"]');
    expect(pathString([{ field: 'finalizers' }, { value: 'x' }])).toBe('.finalizers[="x"]');
  });

  it('treats atomic lists and maps as single fields and sets by value', () => {
    const pod = { metadata: { finalizers: ['a', 'b'] }, spec: { containers: [{ name: 'c', args: ['x', 'y'] }], nodeSelector: { disk: 'ssd' } } };
    const set = fieldSetOf(pod, schemaFor('', 'v1', 'Pod'));
    expect(set.has([{ field: 'spec' }, { field: 'containers' }, { key: { name: 'c' } }, { field: 'args' }])).toBe(true);
    expect(set.has([{ field: 'spec' }, { field: 'nodeSelector' }])).toBe(true);
    expect(set.has([{ field: 'spec' }, { field: 'nodeSelector' }, { field: 'disk' }])).toBe(false);
    expect(set.has([{ field: 'metadata' }, { field: 'finalizers' }, { value: 'b' }])).toBe(true);
    expect(new FieldSet().isEmpty()).toBe(true);
  });
});
