// The RBAC authorizer over a fixed policy: who a binding's subjects are, where a RoleBinding
// reaches, the reasons upstream gives, and the rules SelfSubjectRulesReview lists.
import { describe, expect, it } from 'vitest';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding, Subject } from 'kubernetes-types/rbac/v1';
import type { UserInfo } from '../../../src-main/auth/authenticator.ts';
import type { Attributes } from '../../../src-main/auth/authorizer.ts';
import type { PolicySource } from '../../../src-main/auth/rbac/policy-cache.ts';
import { RbacAuthorizer } from '../../../src-main/auth/rbac/rbac-authorizer.ts';

const G = 'rbac.authorization.k8s.io';
const podReader: ClusterRole = { metadata: { name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] };
const urls: ClusterRole = { metadata: { name: 'logs' }, rules: [{ nonResourceURLs: ['/logs', '/logs/*'], verbs: ['get'] }] };
const secretWriter: Role = { metadata: { name: 'secret-writer', namespace: 'team' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['create'] }] };

const user = (name: string): Subject => ({ apiGroup: G, kind: 'User', name });
const crb = (name: string, role: string, subjects: Subject[]): ClusterRoleBinding => ({ metadata: { name }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: role }, subjects });
const rb = (name: string, namespace: string, kind: 'Role' | 'ClusterRole', role: string, subjects: Subject[]): RoleBinding => ({
  metadata: { name, namespace },
  roleRef: { apiGroup: G, kind, name: role },
  subjects,
});

function policy(clusterBindings: ClusterRoleBinding[], bindings: RoleBinding[]): PolicySource {
  const clusterRoles = [podReader, urls];
  return {
    getRole: (ns, name) => [secretWriter].find((r) => r.metadata?.namespace === ns && r.metadata?.name === name),
    getClusterRole: (name) => clusterRoles.find((r) => r.metadata?.name === name),
    listRoleBindings: (ns) => bindings.filter((b) => b.metadata?.namespace === ns),
    listClusterRoleBindings: () => clusterBindings,
  };
}

const alice: UserInfo = { name: 'alice', groups: ['devs', 'system:authenticated'] };
const sa: UserInfo = { name: 'system:serviceaccount:team:builder', groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'] };
const ask = (u: UserInfo, a: Omit<Attributes, 'user' | 'resourceRequest'>, resourceRequest = true): Attributes => ({ user: u, group: '', ...a, resourceRequest });

describe('RBAC authorizer', () => {
  it('allows what a ClusterRoleBinding grants a user, in every namespace and at the cluster scope, with the reason', () => {
    const authz = new RbacAuthorizer(policy([crb('read-pods', 'pod-reader', [user('alice')])], []));
    expect(authz.authorize(ask(alice, { verb: 'list', resource: 'pods', namespace: 'a' }))).toEqual({
      decision: 'allow',
      reason: 'RBAC: allowed by ClusterRoleBinding "read-pods" of ClusterRole "pod-reader" to User "alice"',
    });
    expect(authz.authorize(ask(alice, { verb: 'list', resource: 'pods' })).decision).toBe('allow');
    expect(authz.authorize(ask(alice, { verb: 'delete', resource: 'pods', namespace: 'a', name: 'x' }))).toEqual({ decision: 'no-opinion' });
    expect(authz.authorize(ask({ name: 'bob', groups: ['system:authenticated'] }, { verb: 'list', resource: 'pods', namespace: 'a' })).decision).toBe('no-opinion');
  });

  it('grants a RoleBinding only in its namespace, to Roles of that namespace too', () => {
    const authz = new RbacAuthorizer(policy([], [rb('r', 'team', 'ClusterRole', 'pod-reader', [user('alice')]), rb('w', 'team', 'Role', 'secret-writer', [user('alice')])]));
    expect(authz.authorize(ask(alice, { verb: 'get', resource: 'pods', namespace: 'team', name: 'p' })).decision).toBe('allow');
    expect(authz.authorize(ask(alice, { verb: 'create', resource: 'secrets', namespace: 'team' }))).toEqual({
      decision: 'allow',
      reason: 'RBAC: allowed by RoleBinding "w/team" of Role "secret-writer" to User "alice"',
    });
    expect(authz.authorize(ask(alice, { verb: 'get', resource: 'pods', namespace: 'other', name: 'p' })).decision).toBe('no-opinion');
    expect(authz.authorize(ask(alice, { verb: 'list', resource: 'pods' })).decision).toBe('no-opinion');
  });

  it('matches groups and service accounts (a RoleBinding subject without namespace is its own)', () => {
    const bindings = [
      rb('by-group', 'team', 'ClusterRole', 'pod-reader', [{ apiGroup: G, kind: 'Group', name: 'devs' }]),
      rb('by-sa', 'team', 'Role', 'secret-writer', [{ kind: 'ServiceAccount', name: 'builder' }]),
      rb('sa-elsewhere', 'other', 'ClusterRole', 'pod-reader', [{ kind: 'ServiceAccount', name: 'builder' }]),
    ];
    const authz = new RbacAuthorizer(policy([crb('sa-groups', 'logs', [{ apiGroup: G, kind: 'Group', name: 'system:serviceaccounts:team' }])], bindings));
    expect(authz.authorize(ask(alice, { verb: 'list', resource: 'pods', namespace: 'team' })).decision).toBe('allow');
    expect(authz.authorize(ask(sa, { verb: 'create', resource: 'secrets', namespace: 'team' }))).toEqual({
      decision: 'allow',
      reason: 'RBAC: allowed by RoleBinding "by-sa/team" of Role "secret-writer" to ServiceAccount "builder/team"',
    });
    // system:serviceaccount:other:builder is another account: team's builder gets nothing in other.
    expect(authz.authorize(ask(sa, { verb: 'list', resource: 'pods', namespace: 'other' })).decision).toBe('no-opinion');
    expect(authz.authorize(ask(sa, { verb: 'get', path: '/logs/app' }, false)).decision).toBe('allow');
    expect(authz.authorize(ask(alice, { verb: 'get', path: '/logs/app' }, false)).decision).toBe('no-opinion');
  });

  it('names a missing role in the reason, as upstream', () => {
    const authz = new RbacAuthorizer(policy([crb('gone', 'no-such-role', [user('alice')])], [rb('r', 'team', 'Role', 'missing', [user('alice')])]));
    expect(authz.authorize(ask(alice, { verb: 'list', resource: 'pods', namespace: 'team' }))).toEqual({
      decision: 'no-opinion',
      reason: 'RBAC: [clusterrole.rbac.authorization.k8s.io "no-such-role" not found, role.rbac.authorization.k8s.io "missing" not found]',
    });
  });

  it('lists the rules a user has in a namespace, split into resource and non-resource rules', () => {
    const authz = new RbacAuthorizer(policy([crb('l', 'logs', [user('alice')]), crb('gone', 'nope', [user('alice')])], [rb('r', 'team', 'ClusterRole', 'pod-reader', [user('alice')])]));
    const team = authz.rulesFor(alice, 'team');
    expect(team.resourceRules).toEqual(podReader.rules);
    expect(team.nonResourceRules).toEqual(urls.rules);
    expect(team.incomplete).toBe(true);
    expect(team.errors.map((e) => e.message)).toEqual(['clusterrole.rbac.authorization.k8s.io "nope" not found']);
    expect(authz.rulesFor(alice, 'other').resourceRules).toEqual([]);
  });
});
