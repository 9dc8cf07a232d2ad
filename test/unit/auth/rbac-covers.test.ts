// What a user holds covers what they grant: verbs, groups, resources with "*" and "*/sub",
// resource names and URLs, piece by piece, as upstream's Covers.
import { describe, expect, it } from 'vitest';
import type { PolicyRule } from 'kubernetes-types/rbac/v1';
import { compactRules, compactString, uncoveredRules } from '../../../src-main/auth/rbac/covers.ts';

const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({ verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) });

describe('covers', () => {
  const held = [rule(['get', 'list'], [''], ['pods', 'pods/log']), rule(['*'], ['apps'], ['deployments']), rule(['get'], [''], ['*/status']), rule(['get'], [''], ['configmaps'], ['one']), { verbs: ['get'], nonResourceURLs: ['/logs/*'] }];

  it('covers what the held rules do, piece by piece', () => {
    expect(uncoveredRules(held, [rule(['get'], [''], ['pods', 'pods/log'])])).toEqual([]);
    expect(uncoveredRules(held, [rule(['create', 'delete'], ['apps'], ['deployments'])])).toEqual([]);
    expect(uncoveredRules(held, [rule(['get'], [''], ['services/status'])])).toEqual([]);
    expect(uncoveredRules(held, [rule(['get'], [''], ['configmaps'], ['one'])])).toEqual([]);
    expect(uncoveredRules(held, [{ verbs: ['get'], nonResourceURLs: ['/logs/app'] }])).toEqual([]);
  });

  it('leaves out what they do not: other verbs, all names, other groups and URLs', () => {
    const missing = uncoveredRules(held, [rule(['get', 'delete'], [''], ['pods']), rule(['get'], [''], ['configmaps']), rule(['get'], ['extensions'], ['deployments']), { verbs: ['get'], nonResourceURLs: ['/logs'] }]);
    expect(missing.map(compactString)).toEqual([
      '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}',
      '{APIGroups:[""], Resources:["configmaps"], Verbs:["get"]}',
      '{APIGroups:["extensions"], Resources:["deployments"], Verbs:["get"]}',
      '{NonResourceURLs:["/logs"], Verbs:["get"]}',
    ]);
    expect(compactRules(uncoveredRules(held, [rule(['watch', 'delete'], [''], ['pods'])])).map(compactString)).toEqual(['{APIGroups:[""], Resources:["pods"], Verbs:["watch" "delete"]}']);
  });
});
