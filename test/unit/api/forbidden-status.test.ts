// 403 as upstream's ForbiddenStatusError words it: the resource (group-qualified in the subject,
// with its subresource in the sentence), the namespace or the cluster scope, or the path.
import { describe, expect, it } from 'vitest';
import { forbidden } from '../../../src-main/api/status.ts';

describe('forbidden', () => {
  it('names a namespaced list, a named subresource and a cluster-scoped resource', () => {
    expect(forbidden({ user: 'alice', verb: 'list', group: '', resource: 'pods', namespace: 'default' }).toStatus()).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message: 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"',
      details: { group: '', kind: 'pods' },
    });
    expect(forbidden({ user: 'alice', verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace: 'team', name: 'web' }).message).toBe(
      'pods "web" is forbidden: User "alice" cannot get resource "pods/log" in API group "" in the namespace "team"',
    );
    const err = forbidden({ user: 'alice', verb: 'update', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'team', name: 'web' });
    expect(err.message).toBe('deployments.apps "web" is forbidden: User "alice" cannot update resource "deployments/scale" in API group "apps" in the namespace "team"');
    expect(err.toStatus().details).toEqual({ name: 'web', group: 'apps', kind: 'deployments' });
    expect(forbidden({ user: 'alice', verb: 'list', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' }).message).toBe(
      'clusterroles.rbac.authorization.k8s.io is forbidden: User "alice" cannot list resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope',
    );
  });

  it('names the path of a non-resource request, and appends the reason', () => {
    expect(forbidden({ user: 'alice', verb: 'get', path: '/logs' }).message).toBe('forbidden: User "alice" cannot get path "/logs"');
    expect(forbidden({ user: 'alice', verb: 'get', group: '', resource: 'pods', namespace: 'a' }, 'RBAC: clusterrole.rbac.authorization.k8s.io "view" not found').message).toBe(
      'pods is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace "a": RBAC: clusterrole.rbac.authorization.k8s.io "view" not found',
    );
  });
});
