import { describe, expect, it } from 'vitest';
import {
  ApplyBadRequestError,
  ApplyConflictError,
  applyConflictStatus,
  serverSideApply,
  updateManagedFields,
} from '../../../../src-main/api/apply/index.ts';
import type { KubeObject } from '../../../../src-main/api/resources/types.ts';
import { deployment, deploymentSchema, entryOf, t0, t1, t2 } from './fixtures.ts';

const schema = deploymentSchema;

function apply(live: KubeObject | undefined, applied: KubeObject, manager: string, opts: { force?: boolean; now?: Date } = {}): KubeObject {
  return serverSideApply({ live, applied, manager, force: opts.force ?? false, apiVersion: 'apps/v1', now: opts.now ?? t1, schema });
}

function conflictOf(fn: () => unknown): ApplyConflictError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApplyConflictError) return err;
    throw err;
  }
  throw new Error('expected an apply conflict');
}

const spec = (o: KubeObject) => o.spec as any;
const container = (o: KubeObject) => spec(o).template.spec.containers[0];

describe('serverSideApply', () => {
  it('creates an object that does not exist yet, owned by the applier', () => {
    const created = apply(undefined, deployment({ replicas: 2 }), 'kubectl', { now: t0 });
    expect(created.metadata.name).toBe('web');
    expect(spec(created).replicas).toBe(2);
    expect(created.metadata.managedFields).toHaveLength(1);
    expect(entryOf(created, 'kubectl', 'Apply')).toMatchObject({ apiVersion: 'apps/v1', time: '2026-11-25T04:00:00Z' });
  });

  it('merges into the live object: fields set by others stay, lists merge by key', () => {
    const live = { ...deployment({ replicas: 2 }), metadata: { ...deployment().metadata, uid: 'u-1', resourceVersion: '7', annotations: { note: 'kept' } } };
    (container(live) as any).imagePullPolicy = 'IfNotPresent';
    const applied = deployment({ replicas: 2, env: [{ name: 'A', value: '1' }] });
    spec(applied).template.spec.containers.push({ name: 'sidecar', image: 'busybox' });
    const out = apply(live, applied, 'kubectl');
    expect(out.metadata.uid).toBe('u-1');
    expect(out.metadata.annotations).toEqual({ note: 'kept' });
    expect(spec(out).template.spec.containers.map((c: any) => c.name)).toEqual(['web', 'sidecar']);
    expect(container(out)).toMatchObject({ imagePullPolicy: 'IfNotPresent', env: [{ name: 'A', value: '1' }] });
  });

  it('replaces atomic lists and maps whole', () => {
    const live = deployment();
    container(live).args = ['a', 'b'];
    spec(live).selector = { matchLabels: { app: 'web', tier: 'x' } };
    const applied = deployment();
    container(applied).args = ['c'];
    const out = apply(live, applied, 'kubectl', { force: true });
    expect(container(out).args).toEqual(['c']);
    expect(spec(out).selector).toEqual({ matchLabels: { app: 'web' } });
  });

  it('removes a field the applier stopped applying, and the env var it dropped', () => {
    const first = apply(undefined, deployment({ replicas: 2, labels: { app: 'web', tier: 'front' }, env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }), 'kubectl', { now: t0 });
    const second = apply(first, deployment({ labels: { app: 'web' }, env: [{ name: 'A', value: '1' }] }), 'kubectl', { now: t1 });
    expect(spec(second).replicas).toBeUndefined();
    expect(second.metadata.labels).toEqual({ app: 'web' });
    expect(container(second).env).toEqual([{ name: 'A', value: '1' }]);
    const fields = JSON.stringify(entryOf(second, 'kubectl', 'Apply')?.fieldsV1);
    expect(fields).not.toContain('f:replicas');
    expect(fields).not.toContain('"B"');
    expect(entryOf(second, 'kubectl', 'Apply')?.time).toBe('2026-11-25T04:05:00Z');
  });

  it('keeps the metadata the server set when the applier stops applying its only labels', () => {
    const first = apply(undefined, deployment({ labels: { tier: 'front' } }), 'kubectl', { now: t0 });
    const live = { ...first, metadata: { ...first.metadata, uid: 'u-1', resourceVersion: '5', creationTimestamp: '2026-11-25T04:00:00Z' } };
    const out = apply(live, deployment(), 'kubectl', { now: t1 });
    expect(out.metadata).toMatchObject({ name: 'web', namespace: 'default', uid: 'u-1', resourceVersion: '5', creationTimestamp: '2026-11-25T04:00:00Z' });
    expect(out.metadata.labels).toBeUndefined();
    expect(out.apiVersion).toBe('apps/v1');
  });

  it('keeps a field it stopped applying when another manager owns it too', () => {
    const a = apply(undefined, deployment({ replicas: 2 }), 'alice', { now: t0 });
    const both = apply(a, deployment({ replicas: 2 }), 'bob', { now: t1 }); // same value: shared, no conflict
    const out = apply(both, deployment(), 'alice', { now: t2 });
    expect(spec(out).replicas).toBe(2);
    expect(JSON.stringify(entryOf(out, 'bob')?.fieldsV1)).toContain('f:replicas');
  });

  it('does not remove what another manager changed after the applier set it', () => {
    const a = apply(undefined, deployment({ replicas: 2 }), 'alice', { now: t0 });
    const scaled = updateManagedFields({ live: a, updated: { ...a, spec: { ...spec(a), replicas: 4 } }, manager: 'hpa', operation: 'Update', apiVersion: 'apps/v1', now: t1, schema });
    const out = apply(scaled, deployment(), 'alice', { now: t2 });
    expect(spec(out).replicas).toBe(4);
  });

  it('reports a conflict when a second applier changes a value the first owns, and forces it', () => {
    const a = apply(undefined, deployment({ replicas: 2 }), 'alice', { now: t0 });
    const err = conflictOf(() => apply(a, deployment({ replicas: 3 }), 'bob'));
    expect(err.conflicts).toEqual([{ manager: 'alice', apiVersion: 'apps/v1', field: '.spec.replicas', operation: 'Apply' }]);
    // Appliers have no version in their identity, so none is printed.
    expect(applyConflictStatus(err)).toEqual({
      message: 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas',
      causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }],
    });
    const forced = apply(a, deployment({ replicas: 3 }), 'bob', { force: true });
    expect(spec(forced).replicas).toBe(3);
    expect(JSON.stringify(entryOf(forced, 'alice')?.fieldsV1)).not.toContain('f:replicas');
    expect(JSON.stringify(entryOf(forced, 'bob')?.fieldsV1)).toContain('f:replicas');
  });

  it('the kubectl scenario: apply, scale, then another applier setting replicas conflicts', () => {
    const applied = apply(undefined, deployment({ replicas: 3 }), 'kubectl', { now: t0 });
    // `kubectl scale` writes replicas through the scale subresource.
    const scaled = updateManagedFields({
      live: applied,
      updated: { ...applied, spec: { ...spec(applied), replicas: 5 } },
      manager: 'kubectl',
      operation: 'Update',
      apiVersion: 'apps/v1',
      subresource: 'scale',
      now: t1,
      schema,
    });
    expect(JSON.stringify(entryOf(scaled, 'kubectl', 'Apply')?.fieldsV1)).not.toContain('f:replicas');
    const err = conflictOf(() => apply(scaled, deployment({ replicas: 2 }), 'other-applier', { now: t2 }));
    expect(applyConflictStatus(err).message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas',
    );
    // Nothing changes on a refused apply.
    expect(spec(scaled).replicas).toBe(5);
  });

  it('words a conflict with a client-side applier exactly like kube-apiserver', () => {
    const live = updateManagedFields({ live: undefined, updated: deployment({ replicas: 1 }), manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'apps/v1', now: t0, schema });
    const err = conflictOf(() => apply(live, deployment({ replicas: 3 }), 'kubectl'));
    const status = applyConflictStatus(err);
    expect(status.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    expect(status.causes).toEqual([
      { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' },
    ]);
  });

  it('lists several conflicts grouped by manager', () => {
    const a = apply(undefined, deployment({ replicas: 2, image: 'nginx:1' }), 'alice', { now: t0 });
    const err = conflictOf(() => apply(a, deployment({ replicas: 3, image: 'nginx:2' }), 'bob'));
    expect(applyConflictStatus(err).message).toBe(
      'Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.replicas\n- .spec.template.spec.containers[name="web"].image',
    );
    expect(err.message).toContain('Apply failed with 2 conflicts');
  });

  it('does not conflict when applying the value another manager already set', () => {
    const a = apply(undefined, deployment({ replicas: 2 }), 'alice', { now: t0 });
    expect(() => apply(a, deployment({ replicas: 2 }), 'bob')).not.toThrow();
  });

  it('refuses a configuration that carries managedFields', () => {
    const applied = { ...deployment(), metadata: { ...deployment().metadata, managedFields: [] } };
    expect(() => apply(undefined, applied, 'kubectl')).toThrow(ApplyBadRequestError);
    expect(() => apply(undefined, applied, 'kubectl')).toThrow('metadata.managedFields must be nil');
  });

  it('keeps the time of a no-op apply', () => {
    const a = apply(undefined, deployment({ replicas: 2 }), 'alice', { now: t0 });
    const again = apply(a, deployment({ replicas: 2 }), 'alice', { now: t2 });
    expect(again.metadata.managedFields).toEqual(a.metadata.managedFields);
  });

  it('gives existing fields to before-first-apply when an object has no managedFields', () => {
    const untracked = deployment({ replicas: 2 });
    const err = conflictOf(() => apply(untracked, deployment({ replicas: 3 }), 'kubectl'));
    expect(err.conflicts[0]).toMatchObject({ manager: 'before-first-apply', field: '.spec.replicas' });
  });
});

describe('serverSideApply list merging', () => {
  it('keeps live-only items in place and follows the configuration order for the rest', () => {
    const live = deployment();
    container(live).env = ['a', 'b', 'c'].map((name) => ({ name, value: name }));
    const applied = deployment();
    container(applied).env = [{ name: 'c', value: 'C' }, { name: 'a', value: 'A' }];
    const out = apply(live, applied, 'kubectl', { force: true });
    expect(container(out).env).toEqual([{ name: 'b', value: 'b' }, { name: 'c', value: 'C' }, { name: 'a', value: 'A' }]);
  });

  it('treats a port applied without protocol as the live TCP port', () => {
    const first = apply(undefined, deployment(), 'kubectl', { now: t0 });
    // The server defaults the protocol after the first apply.
    container(first).ports = [{ containerPort: 80, protocol: 'TCP' }];
    const applied = deployment();
    container(applied).ports = [{ containerPort: 80 }];
    const out = apply(first, applied, 'kubectl', { now: t1 });
    expect(container(out).ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
  });

  it('merges sets by value', () => {
    const live = { ...deployment(), metadata: { ...deployment().metadata, finalizers: ['a/x', 'b/y'] } };
    const applied = { ...deployment(), metadata: { ...deployment().metadata, finalizers: ['c/z', 'a/x'] } };
    const out = apply(live, applied, 'kubectl', { force: true });
    // Upstream's walk: applied items up to the first shared one, then live-only ones after it.
    expect(out.metadata.finalizers).toEqual(['c/z', 'a/x', 'b/y']);
  });

  it('removes an item the applier dropped even when another manager changed a field of it', () => {
    const first = apply(undefined, deployment({ env: [{ name: 'A', value: '1' }] }), 'alice', { now: t0 });
    const edited = structuredClone(first);
    container(edited).env[0].value = '2';
    const changed = updateManagedFields({ live: first, updated: edited, manager: 'editor', operation: 'Update', apiVersion: 'apps/v1', now: t1, schema });
    const out = apply(changed, deployment(), 'alice', { now: t2 });
    // alice owned the item; the editor owns only its value, not the item, so the item goes; the
    // list stays (empty) because the editor still owned something below it (as upstream).
    expect(container(out).env).toEqual([]);
    expect(JSON.stringify(out.metadata.managedFields)).not.toContain('k:{\\"name\\":\\"A\\"}');
  });
});

describe('serverSideApply type check', () => {
  it('refuses a configuration of another version or kind, worded as upstream', () => {
    const wrongKind = { ...deployment(), kind: 'ReplicaSet' };
    expect(() => serverSideApply({ live: undefined, applied: wrongKind, manager: 'k', force: false, apiVersion: 'apps/v1', kind: 'Deployment', now: t0, schema })).toThrow(
      'invalid object type: apps/v1, Kind=ReplicaSet',
    );
    const core = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    expect(() => serverSideApply({ live: undefined, applied: core, manager: 'k', force: false, apiVersion: 'apps/v1', now: t0, schema: undefined })).toThrow(
      ApplyBadRequestError,
    );
    expect(() => serverSideApply({ live: undefined, applied: core, manager: 'k', force: false, apiVersion: 'apps/v1', now: t0, schema: undefined })).toThrow(
      'invalid object type: /v1, Kind=ConfigMap',
    );
  });
});

describe('serverSideApply with hostile keys', () => {
  it('treats "__proto__" as an ordinary key and never touches prototypes', () => {
    const cm = (data: string) => JSON.parse(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":${data}}`);
    const first = serverSideApply({ live: undefined, applied: cm('{"a":"b"}'), manager: 'm', force: false, apiVersion: 'v1', now: t0, schema: undefined });
    const merged = serverSideApply({ live: first, applied: cm('{"__proto__":{"polluted":"1"}}'), manager: 'n', force: false, apiVersion: 'v1', now: t1, schema: undefined });
    expect(Object.getPrototypeOf(merged.data)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(merged.data))).toEqual(JSON.parse('{"a":"b","__proto__":{"polluted":"1"}}'));
    expect(JSON.stringify(merged.metadata.managedFields)).toContain('f:__proto__');
    const pruned = serverSideApply({ live: merged, applied: cm('{}'), manager: 'n', force: false, apiVersion: 'v1', now: t2, schema: undefined });
    expect(JSON.stringify(pruned.data)).toBe('{"a":"b"}');
  });
});
