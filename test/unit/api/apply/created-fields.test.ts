// A create's managedFields come from a one-walk fast path (created-fields.ts); the general update
// path (compare, field sets, ownership) must give exactly the same entry, byte for byte, for every
// example manifest as sent and as the server stores it after defaulting, and for the odd shapes.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { trackUpdateOf, updateManagedFields } from '../../../../src-main/api/apply/update.ts';
import type { UpdateManagedFieldsArgs } from '../../../../src-main/api/apply/update.ts';
import { schemaFor } from '../../../../src-main/api/openapi/spec.ts';
import { resourceDefinitions } from '../../../../src-main/api/resources/index.ts';
import type { KubeObject } from '../../../../src-main/api/resources/types.ts';
import { create, examplesDir, examplesOfKind } from '../resources/workload-helpers.ts';
import { t0 } from './fixtures.ts';

function argsFor(obj: KubeObject, subresource?: string): UpdateManagedFieldsArgs {
  const apiVersion = obj.apiVersion ?? '';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return { live: undefined, updated: obj, manager: 'kubectl-create', operation: 'Update', apiVersion, subresource, now: t0, schema: schemaFor(group, version, obj.kind ?? '') };
}

function expectSameAsGeneral(obj: KubeObject, subresource?: string): void {
  const fast = updateManagedFields(argsFor(obj, subresource));
  const general = trackUpdateOf(argsFor(obj, subresource));
  expect(JSON.stringify(fast), obj.kind).toBe(JSON.stringify(general));
}

const pod = (spec: Record<string, unknown>, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default' },
  spec,
  ...extra,
});

describe('createdFieldsV1', () => {
  it.skipIf(!existsSync(examplesDir))('equals the general path on every example, as sent and as stored', async () => {
    let compared = 0;
    for (const def of resourceDefinitions) {
      for (const { obj } of examplesOfKind(def.kind)) {
        expectSameAsGeneral(obj);
        const stored = await create(def, obj);
        expectSameAsGeneral(stored.obj);
        compared += 2;
      }
    }
    expect(compared).toBeGreaterThan(80);
  });

  it('equals the general path on empty, null, misfit, duplicate and untyped values', () => {
    const cases: KubeObject[] = [
      pod({ containers: [] }),
      pod({ containers: null, volumes: [] }),
      pod({ containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }], securityContext: {} }),
      pod({ containers: [{ name: 'a', ports: [{ containerPort: 80 }, { containerPort: 80, protocol: 'UDP' }, { containerPort: 80 }] }] }),
      pod({ containers: [{ name: 'a', args: ['x', 'x'], env: [{ name: 'E' }, { name: 'E', value: '1' }] }], nodeSelector: {} }),
      pod({ containers: 'not a list', tolerations: [{}, { key: 'k' }] }),
      pod({ containers: [{ name: 'a', resources: { limits: { cpu: '1' }, requests: {} } }], unknownField: { deep: [1, { x: null }] } }),
      pod({ containers: [{ name: 'a' }] }, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }),
      pod({ containers: [{ name: 'a' }] }, { metadata: { generateName: 'p-', namespace: 'default', labels: {}, annotations: { a: '' }, uid: 'u', generation: 3, finalizers: ['f', 'f'] } }),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: 'b' } }, data: {}, binaryData: null },
      { apiVersion: 'example.com/v1', kind: 'Unknown', metadata: { name: 'u' }, spec: { list: [{ name: 'a' }], map: { k: 'v' } } },
    ];
    for (const obj of cases) {
      expectSameAsGeneral(obj);
      expectSameAsGeneral(obj, 'status');
    }
  });

  it('shares the spec part between creates of one spec, and only between those', () => {
    const spec = () => ({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80 }] }] });
    const fieldsOf = (obj: KubeObject) => (updateManagedFields(argsFor(obj)).metadata.managedFields![0].fieldsV1 as Record<string, unknown>);
    const first = fieldsOf(pod(spec()));
    const second = fieldsOf(pod(spec(), { metadata: { name: 'q', namespace: 'default', labels: { x: 'y' } } }));
    expect(second['f:spec']).toBe(first['f:spec']);
    expect(second['f:metadata']).toEqual({ 'f:labels': { '.': {}, 'f:x': {} } });
    const other = fieldsOf(pod({ containers: [{ name: 'b', image: 'x' }] }));
    expect(JSON.stringify(other['f:spec'])).toBe('{"f:containers":{"k:{\\"name\\":\\"b\\"}":{".":{},"f:image":{},"f:name":{}}}}');
    expectSameAsGeneral(pod(spec()));
  });

  it('leaves an object whose fields are all bookkeeping without managedFields', () => {
    const bare = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } };
    expect(updateManagedFields(argsFor(bare)).metadata.managedFields).toBeUndefined();
    expectSameAsGeneral(bare);
  });

  it('takes the general path when the request brings managedFields', () => {
    const withFields = pod({ containers: [{ name: 'a' }] }, {
      metadata: { name: 'p', managedFields: [{ manager: 'saved', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }] },
    });
    const out = updateManagedFields(argsFor(withFields));
    expect(out.metadata.managedFields?.map((e) => e.manager)).toContain('saved');
  });
});
