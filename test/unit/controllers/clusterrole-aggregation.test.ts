// The rules an aggregated ClusterRole gets: the union, without repeats, of the rules of the
// other roles its selectors match, in the order of their names.
import { describe, expect, it } from 'vitest';
import type { ClusterRole } from 'kubernetes-types/rbac/v1';
import { aggregatedRules } from '../../../src-main/controllers/clusterrole-aggregation.ts';

const role = (name: string, labels: Record<string, string>, verbs: string[][]): ClusterRole => ({
  metadata: { name, labels },
  rules: verbs.map((v) => ({ apiGroups: [''], resources: ['pods'], verbs: v })),
});

describe('ClusterRole aggregation', () => {
  it('gathers the matched roles\' rules by role name, once each, never its own', () => {
    const view: ClusterRole = {
      metadata: { name: 'view', labels: { 'aggregate-to-view': 'true' } },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'aggregate-to-view': 'true' } }] },
      rules: [{ apiGroups: [''], resources: ['old'], verbs: ['get'] }],
    };
    const all = [view, role('z-extra', { 'aggregate-to-view': 'true' }, [['list']]), role('a-base', { 'aggregate-to-view': 'true' }, [['get'], ['list']]), role('unrelated', {}, [['delete']])];
    expect(aggregatedRules(view, all).map((r) => r.verbs)).toEqual([['get'], ['list']]);
  });

  it('orders names bytewise, as Go sorts them', () => {
    const agg: ClusterRole = { metadata: { name: 'agg' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] } };
    const all = [role('system:aggregated-metrics-reader', { x: 'y' }, [['watch']]), role('system:aggregate-to-view', { x: 'y' }, [['get']])];
    expect(aggregatedRules(agg, all).map((r) => r.verbs)).toEqual([['get'], ['watch']]);
  });

  it('takes the union of several selectors, and nothing for selectors that match nothing', () => {
    const agg: ClusterRole = { metadata: { name: 'agg' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: '1' } }, { matchLabels: { b: '1' } }] } };
    const all = [role('one', { a: '1' }, [['get']]), role('two', { b: '1' }, [['get'], ['create']])];
    expect(aggregatedRules(agg, all).map((r) => r.verbs)).toEqual([['get'], ['create']]);
    expect(aggregatedRules({ ...agg, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { c: '1' } }] } }, all)).toEqual([]);
  });
});
