// Impersonation headers: who the request then acts as, and that each name impersonated must be
// allowed to the requester first.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Attributes, Authorizer } from '../../../src-main/auth/authorizer.ts';
import { impersonatedUser } from '../../../src-main/auth/impersonation.ts';

const req = (headers: Record<string, string | string[]>) => ({ headers }) as unknown as IncomingMessage;
const admin = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };
const asked: Attributes[] = [];
const onlyUsers: Authorizer = {
  authorize: (a) => {
    asked.push(a);
    return a.resource === 'groups' && a.name === 'system:masters' ? { decision: 'no-opinion' } : { decision: 'allow' };
  },
};

describe('impersonation', () => {
  it('acts as the user named, authenticated, with the groups asked for', () => {
    expect(impersonatedUser(req({}), admin, onlyUsers)).toBe(admin);
    expect(impersonatedUser(req({ 'impersonate-user': 'alice', 'impersonate-group': ['devs', 'ops'] }), admin, onlyUsers)).toEqual({ name: 'alice', groups: ['devs', 'ops', 'system:authenticated'] });
    expect(asked.map((a) => [a.verb, a.resource, a.name])).toEqual([
      ['impersonate', 'users', 'alice'],
      ['impersonate', 'groups', 'devs'],
      ['impersonate', 'groups', 'ops'],
    ]);
  });

  it('gives a service account its groups and asks for it in its namespace', () => {
    asked.length = 0;
    expect(impersonatedUser(req({ 'impersonate-user': 'system:serviceaccount:team:builder' }), admin, onlyUsers)).toEqual({
      name: 'system:serviceaccount:team:builder',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'],
    });
    expect(asked[0]).toMatchObject({ resource: 'serviceaccounts', namespace: 'team', name: 'builder' });
  });

  it('refuses a name the requester may not impersonate with upstream\'s 403, and groups without a user', () => {
    expect(() => impersonatedUser(req({ 'impersonate-user': 'alice', 'impersonate-group': 'system:masters' }), admin, onlyUsers)).toThrow(
      'groups "system:masters" is forbidden: User "admin" cannot impersonate resource "groups" in API group "" at the cluster scope',
    );
    expect(() => impersonatedUser(req({ 'impersonate-group': 'devs' }), admin, onlyUsers)).toThrow(/without impersonating a user/);
  });
});
