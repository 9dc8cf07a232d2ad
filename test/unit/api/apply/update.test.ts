import { describe, expect, it } from 'vitest';
import { defaultManagerName, updateManagedFields } from '../../../../src-main/api/apply/index.ts';
import type { KubeObject } from '../../../../src-main/api/resources/types.ts';
import { deployment, deploymentSchema, entryOf, t0, t1, t2 } from './fixtures.ts';

const schema = deploymentSchema;
const containerKey = 'k:{"name":"web"}';

function create(obj: KubeObject, manager = 'kubectl-create'): KubeObject {
  return updateManagedFields({ live: undefined, updated: obj, manager, operation: 'Update', apiVersion: 'apps/v1', now: t0, schema });
}

function update(live: KubeObject, updated: KubeObject, manager: string, now = t1, subresource?: string): KubeObject {
  return updateManagedFields({ live, updated, manager, operation: 'Update', apiVersion: 'apps/v1', subresource, now, schema });
}

/** The object as a client would send it back: with the live managedFields, changed by edit. */
function edited(live: KubeObject, edit: (o: KubeObject) => void): KubeObject {
  const copy = structuredClone(live);
  edit(copy);
  return copy;
}

describe('updateManagedFields', () => {
  it('gives the creator everything it set, marking new maps and list items with "."', () => {
    const created = create(deployment({ replicas: 1, labels: { app: 'web' } }));
    const entry = entryOf(created, 'kubectl-create');
    expect(entry).toMatchObject({ operation: 'Update', apiVersion: 'apps/v1', time: '2026-11-25T04:00:00Z', fieldsType: 'FieldsV1' });
    const f = entry?.fieldsV1 as Record<string, any>;
    expect(f['f:metadata']).toEqual({ 'f:labels': { '.': {}, 'f:app': {} } });
    expect(f['f:spec']['f:replicas']).toEqual({});
    const container = f['f:spec']['f:template']['f:spec']['f:containers'][containerKey];
    expect(Object.keys(container)[0]).toBe('.');
    expect(container['f:image']).toEqual({});
    // Structs Go holds by value exist in the zero value: no "." for them, as upstream.
    const template = f['f:spec']['f:template'];
    expect(Object.keys(template)).toEqual(['f:metadata', 'f:spec']);
    expect(Object.keys(template['f:spec']['f:containers'])).toEqual([containerKey]);
    expect(created.metadata.managedFields).toHaveLength(1);
  });

  it('moves a changed field to the second manager and leaves the rest with the first', () => {
    const created = create(deployment({ replicas: 1 }));
    const next = update(created, edited(created, (o) => ((o.spec as any).template.spec.containers[0].image = 'nginx:1.26')), 'kubectl-set');
    const setter = entryOf(next, 'kubectl-set');
    expect(setter?.fieldsV1).toEqual({ 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { [containerKey]: { 'f:image': {} } } } } } });
    expect(setter?.time).toBe('2026-11-25T04:05:00Z');
    const creator = JSON.stringify(entryOf(next, 'kubectl-create')?.fieldsV1);
    expect(creator).not.toContain('f:image');
    expect(creator).toContain('f:replicas');
    // The creator's entry keeps its own time: losing fields is not a write by it.
    expect(entryOf(next, 'kubectl-create')?.time).toBe('2026-11-25T04:00:00Z');
    // Entries are ordered by time: the creator's first.
    expect((next.metadata.managedFields ?? []).map((e) => e.manager)).toEqual(['kubectl-create', 'kubectl-set']);
  });

  it('drops removed fields from every manager and managers left with nothing', () => {
    const created = create(deployment({ replicas: 1, labels: { team: 'a' } }));
    const relabelled = update(created, edited(created, (o) => (o.metadata.labels = { team: 'b' })), 'labeller');
    expect(entryOf(relabelled, 'labeller')).toBeDefined();
    const unlabelled = update(relabelled, edited(relabelled, (o) => delete o.metadata.labels), 'cleaner', t2);
    expect(entryOf(unlabelled, 'labeller')).toBeUndefined();
    expect((entryOf(unlabelled, 'kubectl-create')?.fieldsV1 as any)['f:metadata']).toBeUndefined();
    // Only removing gives the cleaner nothing to own.
    expect(entryOf(unlabelled, 'cleaner')).toBeUndefined();
  });

  it('keeps one entry per manager and keeps its time when the write changed nothing it owns', () => {
    const created = create(deployment({ replicas: 1 }));
    const again = update(created, edited(created, () => {}), 'kubectl-create', t2);
    expect(again.metadata.managedFields).toEqual(created.metadata.managedFields);
  });

  it('tracks the same manager through the scale subresource as a separate entry', () => {
    const created = create(deployment({ replicas: 1 }), 'kubectl');
    const scaled = update(created, edited(created, (o) => ((o.spec as any).replicas = 5)), 'kubectl', t1, 'scale');
    const entries = scaled.metadata.managedFields ?? [];
    expect(entries).toHaveLength(2);
    expect(entries[1]).toEqual({
      manager: 'kubectl',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: '2026-11-25T04:05:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      subresource: 'scale',
    });
  });

  it('tracks only status through the status subresource, and never status through the main resource', () => {
    const created = create({ ...deployment({ replicas: 1 }), status: { replicas: 0 } });
    expect(JSON.stringify(created.metadata.managedFields)).not.toContain('f:status');
    const withStatus = update(created, edited(created, (o) => {
      o.status = { replicas: 1, readyReplicas: 1 };
      o.metadata.labels = { sneaky: 'yes' };
    }), 'kube-controller-manager', t1, 'status');
    expect(entryOf(withStatus, 'kube-controller-manager')?.fieldsV1).toEqual({ 'f:status': { 'f:readyReplicas': {}, 'f:replicas': {} } });
    expect(entryOf(withStatus, 'kube-controller-manager')?.subresource).toBe('status');
  });

  it('accepts managedFields a client sets through the main resource, and ignores invalid ones', () => {
    const created = create(deployment({ replicas: 1 }));
    const handmade = [{ manager: 'someone', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:paused': {} } } }];
    const taken = update(created, edited(created, (o) => (o.metadata.managedFields = handmade as any)), 'editor');
    expect(taken.metadata.managedFields?.map((e) => e.manager)).toEqual(['someone']);
    const invalid = [{ manager: 'x', operation: 'Delete', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: {} }];
    const ignored = update(created, edited(created, (o) => (o.metadata.managedFields = invalid as any)), 'editor');
    expect(ignored.metadata.managedFields).toEqual(created.metadata.managedFields);
    const missing = update(created, edited(created, (o) => delete o.metadata.managedFields), 'editor');
    expect(missing.metadata.managedFields).toEqual(created.metadata.managedFields);
  });

  it('clears managedFields when asked with [] or [{}], and then stops tracking updates', () => {
    const created = create(deployment({ replicas: 1 }));
    for (const reset of [[], [{}]]) {
      const cleared = update(created, edited(created, (o) => {
        o.metadata.managedFields = reset as any;
        (o.spec as any).replicas = 3;
      }), 'editor');
      expect(cleared.metadata.managedFields).toBeUndefined();
    }
  });

  it('ignores managedFields sent to a subresource', () => {
    const created = create(deployment({ replicas: 1 }));
    const out = update(created, edited(created, (o) => (o.metadata.managedFields = [] as any)), 'x', t1, 'status');
    expect(out.metadata.managedFields).toEqual(created.metadata.managedFields);
  });

  it('merges the oldest of more than ten updaters into ancient-changes', () => {
    let obj = create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} });
    for (let i = 0; i < 12; i++) {
      const now = new Date(t0.getTime() + (i + 1) * 1000);
      const next = edited(obj, (o) => ((o.data as Record<string, string>)[`k${i}`] = 'v'));
      obj = updateManagedFields({ live: obj, updated: next, manager: `writer-${i}`, operation: 'Update', apiVersion: 'v1', now, schema: undefined });
    }
    const managers = (obj.metadata.managedFields ?? []).map((e) => e.manager);
    expect(managers).toHaveLength(10);
    expect(managers).toContain('ancient-changes');
    expect(managers).toContain('writer-11');
  });
});

describe('defaultManagerName', () => {
  it('takes the User-Agent up to the first slash', () => {
    expect(defaultManagerName('kubectl/v1.30.2 (linux/amd64) kubernetes/3968350')).toBe('kubectl');
    expect(defaultManagerName('node-fetch')).toBe('node-fetch');
    expect(defaultManagerName(undefined)).toBe('');
  });

  it('drops unprintable characters and stops at 128 bytes', () => {
    expect(defaultManagerName('kube\u0000ctl\t/1')).toBe('kubectl');
    expect(defaultManagerName('a'.repeat(200))).toHaveLength(128);
    expect(Buffer.byteLength(defaultManagerName('é'.repeat(100)))).toBe(128);
  });
});
