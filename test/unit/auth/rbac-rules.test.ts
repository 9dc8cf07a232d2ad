// RBAC rule matching as upstream's RuleAllows: verbs, groups, resources with subresources and
// "*", resource names, non-resource URLs with a trailing "*".
import { describe, expect, it } from 'vitest';
import type { PolicyRule } from 'kubernetes-types/rbac/v1';
import { nonResourceURLMatches, ruleAllows } from '../../../src-main/auth/rbac/rule-matching.ts';

type Req = { verb: string; group?: string; resource?: string; subresource?: string; name?: string; namespace?: string };
const res = (r: Req) => ({ ...r, group: r.group ?? '', resourceRequest: true });
const path = (verb: string, p: string) => ({ verb, path: p, resourceRequest: false });

describe('resource rules', () => {
  const podsRead: PolicyRule = { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list', 'watch'] };

  it('match on verb, group and resource', () => {
    expect(ruleAllows(res({ verb: 'list', resource: 'pods' }), podsRead)).toBe(true);
    expect(ruleAllows(res({ verb: 'create', resource: 'pods' }), podsRead)).toBe(false);
    expect(ruleAllows(res({ verb: 'list', resource: 'secrets' }), podsRead)).toBe(false);
    expect(ruleAllows(res({ verb: 'list', group: 'apps', resource: 'pods' }), podsRead)).toBe(false);
  });

  it('name subresources as resource/subresource; the resource alone does not cover them', () => {
    expect(ruleAllows(res({ verb: 'get', resource: 'pods', subresource: 'log', name: 'web' }), podsRead)).toBe(true);
    expect(ruleAllows(res({ verb: 'get', resource: 'pods', subresource: 'exec', name: 'web' }), podsRead)).toBe(false);
    const anyLog: PolicyRule = { apiGroups: ['*'], resources: ['*/log'], verbs: ['get'] };
    expect(ruleAllows(res({ verb: 'get', resource: 'pods', subresource: 'log', name: 'web' }), anyLog)).toBe(true);
    expect(ruleAllows(res({ verb: 'get', resource: 'pods', name: 'web' }), anyLog)).toBe(false);
    expect(ruleAllows(res({ verb: 'get', resource: 'pods', subresource: 'logs', name: 'web' }), anyLog)).toBe(false);
  });

  it('take "*" for any verb, group or resource (subresources included)', () => {
    const all: PolicyRule = { apiGroups: ['*'], resources: ['*'], verbs: ['*'] };
    expect(ruleAllows(res({ verb: 'deletecollection', group: 'apps', resource: 'deployments' }), all)).toBe(true);
    expect(ruleAllows(res({ verb: 'update', group: 'apps', resource: 'deployments', subresource: 'scale', name: 'web' }), all)).toBe(true);
    expect(ruleAllows(path('get', '/api'), all)).toBe(false);
  });

  it('with resourceNames cover only those objects, never a list or a create', () => {
    const one: PolicyRule = { apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'], verbs: ['get', 'list', 'create'] };
    expect(ruleAllows(res({ verb: 'get', resource: 'configmaps', name: 'settings' }), one)).toBe(true);
    expect(ruleAllows(res({ verb: 'get', resource: 'configmaps', name: 'other' }), one)).toBe(false);
    expect(ruleAllows(res({ verb: 'list', resource: 'configmaps' }), one)).toBe(false);
    expect(ruleAllows(res({ verb: 'create', resource: 'configmaps' }), one)).toBe(false);
  });

  it('never cover non-resource paths', () => {
    expect(ruleAllows(path('get', '/api'), { apiGroups: [''], resources: ['pods'], verbs: ['get'] })).toBe(false);
  });
});

describe('non-resource rules', () => {
  const discovery: PolicyRule = { nonResourceURLs: ['/api', '/api/*', '/healthz', '/version/'], verbs: ['get'] };

  it('match the exact path, or any path under a trailing "*"', () => {
    expect(ruleAllows(path('get', '/api'), discovery)).toBe(true);
    expect(ruleAllows(path('get', '/api/v1'), discovery)).toBe(true);
    expect(ruleAllows(path('get', '/api/'), discovery)).toBe(true);
    expect(ruleAllows(path('get', '/apis'), discovery)).toBe(false);
    expect(ruleAllows(path('get', '/healthz/etcd'), discovery)).toBe(false);
    expect(ruleAllows(path('get', '/version'), discovery)).toBe(false);
    expect(ruleAllows(path('post', '/api'), discovery)).toBe(false);
  });

  it('take "*" for every path, and a prefix "*" for more than one segment', () => {
    expect(nonResourceURLMatches({ nonResourceURLs: ['*'], verbs: ['*'] }, '/anything/at/all')).toBe(true);
    expect(nonResourceURLMatches({ nonResourceURLs: ['/logs*'], verbs: ['get'] }, '/logsx')).toBe(true);
    expect(nonResourceURLMatches({ nonResourceURLs: ['/logs/*'], verbs: ['get'] }, '/logs/a/b')).toBe(true);
    expect(nonResourceURLMatches({ nonResourceURLs: ['/logs/*'], verbs: ['get'] }, '/logs')).toBe(false);
  });

  it('never cover resource requests', () => {
    expect(ruleAllows(res({ verb: 'get', resource: 'pods' }), { nonResourceURLs: ['*'], verbs: ['*'] })).toBe(false);
  });
});
