import { describe, expect, it } from 'vitest';
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import { AbsentOwnerCache } from '../../../src-main/controllers/garbage-collector/absent-owners.ts';
import { Graph, type GraphNode, type ObjectMeta } from '../../../src-main/controllers/garbage-collector/graph.ts';
import { GraphBuilder, partitionDependents } from '../../../src-main/controllers/garbage-collector/graph-builder.ts';
import { deletableResources, ResourceMap, RestMappingError } from '../../../src-main/controllers/garbage-collector/resources.ts';

function meta(uid: string, name: string, namespace: string, owners: OwnerReference[] = [], extra: Partial<ObjectMeta> = {}): ObjectMeta {
  return { identity: { uid, apiVersion: 'v1', kind: 'ConfigMap', name, namespace }, owners, beingDeleted: false, finalizers: [], ...extra };
}
const refTo = (uid: string, name: string, block = true): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name, uid, ...(block ? { blockOwnerDeletion: true } : {}) });

function setup() {
  const graph = new Graph();
  const deletes: string[] = [];
  const orphans: string[] = [];
  const invalid: [string, string][] = [];
  const absent = new AbsentOwnerCache();
  const builder = new GraphBuilder(graph, absent, {
    attemptToDelete: (uid) => deletes.push(uid),
    attemptToOrphan: (uid) => orphans.push(uid),
    invalidNamespace: (dep: GraphNode, owner) => invalid.push([dep.identity.name, owner]),
  });
  return { graph, builder, deletes, orphans, invalid, absent };
}

describe('GraphBuilder', () => {
  it('links dependents to owners, making a virtual owner to verify when it is not known', () => {
    const { graph, builder, deletes } = setup();
    builder.observe(meta('c', 'child', 'ns', [refTo('o', 'owner')]));
    const owner = graph.get('o')!;
    expect(owner.virtual).toBe(true);
    expect(owner.identity).toEqual({ uid: 'o', apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', namespace: 'ns' });
    expect([...owner.dependents].map((d) => d.identity.uid)).toEqual(['c']);
    expect(deletes).toEqual(['o']);
    builder.observe(meta('o', 'owner', 'ns'));
    expect(graph.get('o')!.virtual).toBe(false);
  });

  it('a deleted owner sends its dependents to be checked; an owner waiting in the foreground is told when one goes', () => {
    const { graph, builder, deletes } = setup();
    builder.observe(meta('o', 'owner', 'ns'));
    builder.observe(meta('c', 'child', 'ns', [refTo('o', 'owner')]));
    deletes.length = 0;
    const deleting = meta('o', 'owner', 'ns', [], { beingDeleted: true, finalizers: ['foregroundDeletion'] });
    builder.observe(deleting, meta('o', 'owner', 'ns'));
    expect(graph.get('o')!.deletingDependents).toBe(true);
    expect(deletes).toEqual(['c', 'o']);
    deletes.length = 0;
    builder.observeDelete(meta('c', 'child', 'ns', [refTo('o', 'owner')]));
    expect(deletes).toEqual(['o']);
    expect(graph.get('o')!.dependents.size).toBe(0);
    builder.observeDelete(deleting);
    expect(graph.get('o')).toBeUndefined();
  });

  it('an owner starting an orphaning deletion goes to the orphan queue, once', () => {
    const { builder, orphans } = setup();
    builder.observe(meta('o', 'owner', 'ns'));
    const orphaning = meta('o', 'owner', 'ns', [], { beingDeleted: true, finalizers: ['orphan'] });
    builder.observe(orphaning, meta('o', 'owner', 'ns'));
    builder.observe(orphaning, orphaning); // a resync: no new transition
    expect(orphans).toEqual(['o']);
  });

  it('reports a dependent in another namespace than its observed owner, and has it verified', () => {
    const { builder, deletes, invalid } = setup();
    builder.observe(meta('o', 'owner', 'ns-a'));
    builder.observe(meta('c', 'child', 'ns-b', [refTo('o', 'owner')]));
    expect(invalid).toEqual([['child', 'o']]);
    expect(deletes).toContain('c');
  });

  it('reports it too when the owner is observed after the dependent', () => {
    const { builder, invalid } = setup();
    builder.observe(meta('c', 'child', 'ns-b', [refTo('o', 'owner')]));
    builder.observe(meta('o', 'owner', 'ns-a'));
    expect(invalid).toEqual([['child', 'o']]);
  });

  it('a removed blocking reference tells the owner waiting for it', () => {
    const { builder, deletes } = setup();
    builder.observe(meta('o', 'owner', 'ns'));
    builder.observe(meta('c', 'child', 'ns', [refTo('o', 'owner')]));
    deletes.length = 0;
    builder.observe(meta('c', 'child', 'ns', [refTo('o', 'owner', false)]), meta('c', 'child', 'ns', [refTo('o', 'owner')]));
    expect(deletes).toEqual(['o']);
  });

  it('a verified-absent virtual owner is dropped and its dependents checked, unless some name it otherwise', () => {
    const { graph, builder, deletes, absent } = setup();
    builder.observe(meta('c1', 'c1', 'ns', [refTo('o', 'owner')]));
    builder.observe(meta('c2', 'c2', 'ns', [{ ...refTo('o', 'owner'), kind: 'Secret' }]));
    deletes.length = 0;
    builder.virtualDelete(graph.get('o')!.identity);
    // c2 names the uid as a Secret: the node stays, under that identity, to be verified again.
    expect(graph.get('o')?.identity.kind).toBe('Secret');
    expect(deletes).toEqual(['c1', 'o']);
    expect(absent.has({ uid: 'o', apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', namespace: 'ns' })).toBe(true);
    deletes.length = 0;
    builder.virtualDelete(graph.get('o')!.identity);
    expect(graph.get('o')).toBeUndefined();
    expect([...new Set(deletes)].sort()).toEqual(['c1', 'c2']);
  });

  it('partitions dependents by whether they name the owner with its coordinates', () => {
    const { graph, builder } = setup();
    builder.observe(meta('a', 'a', 'ns', [refTo('o', 'owner')]));
    builder.observe(meta('b', 'b', 'ns', [refTo('o', 'other-name')]));
    builder.observe(meta('c', 'c', 'other', [refTo('o', 'owner')]));
    const { matching, nonmatching } = partitionDependents(graph.get('o')!.dependents, { uid: 'o', apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', namespace: 'ns' });
    expect(matching.map((n) => n.identity.uid)).toEqual(['a']);
    expect(nonmatching.map((n) => n.identity.uid).sort()).toEqual(['b', 'c']);
  });

  it('blocking dependents are those whose reference has blockOwnerDeletion', () => {
    const { graph, builder } = setup();
    builder.observe(meta('o', 'owner', 'ns'));
    builder.observe(meta('a', 'a', 'ns', [refTo('o', 'owner', true)]));
    builder.observe(meta('b', 'b', 'ns', [refTo('o', 'owner', false)]));
    expect(graph.get('o')!.blockingDependents().map((n) => n.identity.uid)).toEqual(['a']);
  });
});

describe('resources', () => {
  const r = (group: string, resource: string, kind: string, verbs = ['list', 'watch', 'delete', 'get'], namespaced = true) =>
    ({ group, version: 'v1', resource, kind, namespaced, verbs });

  it('follows what can be listed, watched and deleted, but metrics and events', () => {
    const all = [r('', 'pods', 'Pod'), r('', 'events', 'Event'), r('events.k8s.io', 'events', 'Event'), r('metrics.k8s.io', 'pods', 'PodMetrics'),
      r('', 'bindings', 'Binding', ['create']), r('apps', 'deployments', 'Deployment')];
    expect(deletableResources(all).map((x) => x.resource)).toEqual(['pods', 'deployments']);
  });

  it('maps an apiVersion/kind to the served resource of its group, whatever the version', () => {
    const map = new ResourceMap([{ ...r('apps', 'deployments', 'Deployment') }]);
    expect(map.forKind('apps/v1beta2', 'Deployment').resource).toBe('deployments');
    expect(() => map.forKind('example.com/v1', 'Widget')).toThrow(RestMappingError);
  });

  it('remembers a bounded number of absent owners', () => {
    const c = new AbsentOwnerCache();
    for (let i = 0; i < 600; i++) c.add({ uid: `u${i}`, apiVersion: 'v1', kind: 'ConfigMap', name: 'n', namespace: '' });
    expect(c.has({ uid: 'u0', apiVersion: 'v1', kind: 'ConfigMap', name: 'n', namespace: '' })).toBe(false);
    expect(c.has({ uid: 'u599', apiVersion: 'v1', kind: 'ConfigMap', name: 'n', namespace: '' })).toBe(true);
  });
});
