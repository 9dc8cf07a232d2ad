// Role, ClusterRole, RoleBinding and ClusterRoleBinding.
import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../../../../src-main/api/field-errors.ts';
import { clusterRole } from '../../../../src-main/api/resources/clusterrole.ts';
import { clusterRoleBinding } from '../../../../src-main/api/resources/clusterrolebinding.ts';
import { role } from '../../../../src-main/api/resources/role.ts';
import { roleBinding } from '../../../../src-main/api/resources/rolebinding.ts';
import { create, fields, update } from './nonworkload-helpers.ts';

const binding = (extra: Record<string, unknown> = {}) => ({
  metadata: { name: 'read-pods' },
  roleRef: { kind: 'Role', name: 'pod-reader' },
  subjects: [
    { kind: 'User', name: 'jane' },
    { kind: 'Group', name: 'devs' },
    { kind: 'ServiceAccount', name: 'robot', namespace: 'ci' },
  ],
  ...extra,
});

describe('Role and ClusterRole', () => {
  it('take any path segment as name, like system:kube-scheduler', async () => {
    expect((await create(clusterRole, { metadata: { name: 'system:kube-scheduler' }, rules: [] })).errors).toEqual([]);
    const { errors } = await create(role, { metadata: { name: 'a/b' } });
    expect(errors.map(formatFieldError)).toEqual([`metadata.name: Invalid value: "a/b": may not contain '/'`]);
  });

  it('need verbs, and api groups with resources unless the rule is about URLs', async () => {
    const { errors } = await create(role, { metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['pods'] }, { verbs: ['get'] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }] });
    expect(errors.map(formatFieldError)).toEqual([
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[1].apiGroups: Required value: resource rules must supply at least one api group',
      'rules[1].resources: Required value: resource rules must supply at least one resource',
      'rules[2].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs',
    ]);
    const cluster = await create(clusterRole, { metadata: { name: 'r' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] });
    expect(cluster.errors).toEqual([]);
  });

  it('accept an aggregation rule with selectors only', async () => {
    const ok = await create(clusterRole, { metadata: { name: 'monitoring' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } }] } });
    expect(ok.errors).toEqual([]);
    const empty = await create(clusterRole, { metadata: { name: 'monitoring' }, aggregationRule: {} });
    expect(fields(empty.errors)).toEqual(['aggregationRule.clusterRoleSelectors']);
  });

  it('print NAME and CREATED AT', () => {
    const r = { metadata: { name: 'pod-reader', creationTimestamp: '2026-01-01T00:00:00.000Z' } };
    expect(role.table?.columns.map((c) => [c.name, c.type])).toEqual([['Name', 'string'], ['Created At', 'date']]);
    expect(role.table?.cells(r, new Date())).toEqual(['pod-reader', '2026-01-01T00:00:00Z']);
  });
});

describe('RoleBinding and ClusterRoleBinding', () => {
  it('default the roleRef and subject api groups', async () => {
    const { obj, errors } = await create(roleBinding, binding());
    expect(errors).toEqual([]);
    expect(obj.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' });
    expect((obj.subjects as Record<string, unknown>[]).map((s) => s.apiGroup)).toEqual(['rbac.authorization.k8s.io', 'rbac.authorization.k8s.io', '']);
  });

  it('refuse unknown subject kinds, wrong groups and a Role in a cluster binding', async () => {
    const { errors } = await create(roleBinding, binding({ subjects: [{ kind: 'Robot', name: 'x' }, { kind: 'User', name: 'u', apiGroup: 'example.com' }, { kind: 'User' }] }));
    expect(fields(errors)).toEqual(['subjects[0].kind', 'subjects[1].apiGroup', 'subjects[2].name']);
    expect(formatFieldError(errors[0])).toBe('subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"');
    const cluster = await create(clusterRoleBinding, binding({ subjects: [{ kind: 'ServiceAccount', name: 'robot' }] }));
    expect(fields(cluster.errors)).toEqual(['roleRef.kind', 'subjects[0].namespace']);
  });

  it('refuse a changed roleRef', async () => {
    const { obj: old } = await create(roleBinding, binding());
    const { errors } = await update(roleBinding, binding({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' } }), old);
    expect(fields(errors)).toEqual(['roleRef']);
    expect(errors[0].detail).toBe('cannot change roleRef');
  });

  it('print NAME ROLE AGE and the subjects in wide columns', async () => {
    const { obj } = await create(roleBinding, binding());
    expect(roleBinding.table?.columns.map((c) => `${c.name}:${c.priority}`)).toEqual(['Name:0', 'Role:0', 'Age:0', 'Users:1', 'Groups:1', 'ServiceAccounts:1']);
    expect(roleBinding.table?.cells(obj, new Date('2026-01-01T00:00:09Z'))).toEqual(['read-pods', 'Role/pod-reader', '9s', 'jane', 'devs', 'ci/robot']);
  });
});
