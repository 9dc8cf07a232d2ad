// The default roles and bindings are valid objects of their kinds, every binding names a
// default role, and view/edit/admin aggregate as upstream's: view into edit into admin.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src-main/api/resources/types.ts';
import { clusterRole } from '../../../src-main/api/resources/clusterrole.ts';
import { clusterRoleBinding } from '../../../src-main/api/resources/clusterrolebinding.ts';
import { aggregateTo, AUTOUPDATE_ANNOTATION, bootstrapClusterRoleBindings, bootstrapClusterRoles } from '../../../src-main/auth/rbac/bootstrap-policy.ts';
import { aggregatedRules } from '../../../src-main/controllers/clusterrole-aggregation.ts';

describe('the bootstrap policy', () => {
  it('is made of valid, auto-updated roles and bindings to them', () => {
    for (const role of bootstrapClusterRoles) {
      expect(clusterRole.validate!(structuredClone(role) as unknown as KubeObject), role.metadata?.name).toEqual([]);
      expect(role.metadata?.annotations?.[AUTOUPDATE_ANNOTATION]).toBe('true');
    }
    const names = new Set(bootstrapClusterRoles.map((r) => r.metadata?.name));
    for (const b of bootstrapClusterRoleBindings) {
      expect(clusterRoleBinding.validate!(structuredClone(b) as unknown as KubeObject), b.metadata?.name).toEqual([]);
      expect(names.has(b.roleRef.name), b.roleRef.name).toBe(true);
    }
  });

  it('aggregates view into edit and edit into admin', () => {
    const byName = (n: string) => bootstrapClusterRoles.find((r) => r.metadata?.name === n)!;
    const settled = bootstrapClusterRoles.map((r) => structuredClone(r));
    // Three rounds settle a chain of three aggregates, as the controller's updates do.
    for (let round = 0; round < 3; round++) for (const r of settled) if (r.aggregationRule) r.rules = aggregatedRules(r, settled);
    const rulesOf = (n: string) => settled.find((r) => r.metadata?.name === n)!.rules!;
    expect(rulesOf('view')).toEqual([...byName('system:aggregate-to-view').rules!, ...byName('system:aggregated-metrics-reader').rules!]);
    expect(rulesOf('edit')).toEqual(expect.arrayContaining([...rulesOf('view'), ...byName('system:aggregate-to-edit').rules!]));
    expect(rulesOf('admin')).toEqual(expect.arrayContaining([...rulesOf('edit'), ...byName('system:aggregate-to-admin').rules!]));
    expect(byName('view').metadata?.labels?.[aggregateTo('edit')]).toBe('true');
    expect(rulesOf('view').some((r) => r.resources?.includes('secrets'))).toBe(false);
  });
});
