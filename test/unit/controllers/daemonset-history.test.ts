import { describe, expect, it } from 'vitest';
import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1';
import {
  maxRevision, newRevision, revisionPatch, revisionsToCleanUp, revisionToKeep, splitHistory,
} from '../../../src-main/controllers/daemonset/revision.ts';

function ds(image: string, extra: Partial<DaemonSet['metadata']> = {}, collisionCount?: number): DaemonSet {
  return {
    metadata: { name: 'agent', namespace: 'default', uid: 'ds-uid', ...extra },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image }] } },
    },
    ...(collisionCount !== undefined ? { status: { collisionCount, currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 } } : {}),
  };
}

const rev = (name: string, revision: number, image: string, hash = name): ControllerRevision => ({
  metadata: { name, labels: { 'controller-revision-hash': hash } },
  data: revisionPatch(ds(image)),
  revision,
});

describe('a DaemonSet revision', () => {
  it('holds the template as a strategic patch that replaces it, named by its hash', () => {
    const d = ds('agent:v1', { annotations: { 'kubernetes.io/change-cause': 'first' } });
    const r = newRevision(d, 4);
    const hash = r.metadata?.labels?.['controller-revision-hash'];
    expect(r.metadata?.name).toBe(`agent-${hash}`);
    expect(r.metadata?.labels).toEqual({ app: 'agent', 'controller-revision-hash': hash });
    expect(r.metadata?.annotations).toEqual({ 'kubernetes.io/change-cause': 'first' });
    expect(r.metadata?.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true, blockOwnerDeletion: true }]);
    expect(r.revision).toBe(4);
    expect(r.data).toEqual({ spec: { template: { ...d.spec?.template, $patch: 'replace' } } });
  });

  it('gets another hash, and name, once the collision count moves', () => {
    expect(newRevision(ds('agent:v1', {}, 1), 1).metadata?.name).not.toBe(newRevision(ds('agent:v1'), 1).metadata?.name);
    expect(newRevision(ds('agent:v1'), 1).metadata?.name).toBe(newRevision(ds('agent:v1'), 2).metadata?.name);
  });

  it('is current when it holds the template, whatever the key order', () => {
    const shuffled: ControllerRevision = { metadata: { name: 'x' }, revision: 3, data: { spec: { template: { $patch: 'replace', spec: { containers: [{ image: 'agent:v2', name: 'c' }] }, metadata: { labels: { app: 'agent' } } } } } };
    const { current, old } = splitHistory(ds('agent:v2'), [rev('a', 1, 'agent:v1'), shuffled, rev('b', 2, 'agent:v2')]);
    expect(current.map((r) => r.metadata?.name)).toEqual(['x', 'b']);
    expect(old.map((r) => r.metadata?.name)).toEqual(['a']);
    expect(revisionToKeep(current).metadata?.name).toBe('x');
    expect(maxRevision(old) + 1).toBe(2);
    expect(maxRevision([])).toBe(0);
  });
});

describe('history cleanup', () => {
  const old = [rev('r3', 3, 'v3'), rev('r1', 1, 'v1'), rev('r2', 2, 'v2'), rev('r4', 4, 'v4')];
  const names = (rs: ControllerRevision[]) => rs.map((r) => r.metadata?.name);

  it('deletes the oldest beyond the limit (10 by default)', () => {
    expect(names(revisionsToCleanUp(old, new Set(), 2))).toEqual(['r1', 'r2']);
    expect(revisionsToCleanUp(old, new Set())).toEqual([]);
    expect(names(revisionsToCleanUp(old, new Set(), 0))).toEqual(['r1', 'r2', 'r3', 'r4']);
  });

  it('keeps a revision pods still run, but counts it against the limit', () => {
    expect(names(revisionsToCleanUp(old, new Set(['r1']), 2))).toEqual(['r2', 'r3']);
    expect(names(revisionsToCleanUp(old, new Set(['r1', 'r2', 'r3']), 2))).toEqual(['r4']);
    expect(revisionsToCleanUp(old, new Set(['r1', 'r2', 'r3', 'r4']), 0)).toEqual([]);
  });
});
