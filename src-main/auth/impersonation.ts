// Impersonation (`kubectl --as alice --as-group devs`), as upstream's WithImpersonation filter:
// the Impersonate-User, -Group, -Uid and -Extra-* headers make the request act as another user,
// once the authorizers allow the requester the verb "impersonate" on each users, groups,
// serviceaccounts or uids object named. The user acted as is authenticated (system:authenticated
// is added) and a service account also gets its groups.
import type { IncomingMessage } from 'node:http';
import { forbidden, internalError } from '../api/status.ts';
import type { UserInfo } from './authenticator.ts';
import type { Attributes, Authorizer } from './authorizer.ts';

const SA_PREFIX = 'system:serviceaccount:';

const headerValues = (req: IncomingMessage, name: string): string[] => {
  const v = req.headers[name];
  return v === undefined ? [] : [v].flat();
};

/** The object to ask "may I impersonate" for: a user, a service account, a group or a uid. */
function impersonationAttributes(requester: UserInfo, kind: 'user' | 'group' | 'uid', value: string): Attributes {
  const base = { user: requester, verb: 'impersonate', version: 'v1', resourceRequest: true, name: value };
  if (kind === 'group') return { ...base, group: '', resource: 'groups' };
  if (kind === 'uid') return { ...base, group: 'authentication.k8s.io', resource: 'uids' };
  if (value.startsWith(SA_PREFIX)) {
    const [namespace, name] = value.slice(SA_PREFIX.length).split(':');
    if (namespace && name) return { ...base, group: '', resource: 'serviceaccounts', namespace, name };
  }
  return { ...base, group: '', resource: 'users' };
}

/** The user the request acts as: the requester, or whom its Impersonate-* headers name. */
export function impersonatedUser(req: IncomingMessage, requester: UserInfo, authorizer: Authorizer): UserInfo {
  const [name] = headerValues(req, 'impersonate-user');
  const groups = headerValues(req, 'impersonate-group');
  const [uid] = headerValues(req, 'impersonate-uid');
  const extraKeys = Object.keys(req.headers).filter((h) => h.startsWith('impersonate-extra-'));
  if (name === undefined) {
    if (groups.length || uid !== undefined || extraKeys.length) throw internalError('requested impersonation of groups, a uid or extra fields without impersonating a user');
    return requester;
  }
  const asked: ['user' | 'group' | 'uid', string][] = [['user', name], ...groups.map((g): ['group', string] => ['group', g]), ...(uid !== undefined ? [['uid', uid] as ['uid', string]] : [])];
  for (const [kind, value] of asked) {
    const attrs = impersonationAttributes(requester, kind, value);
    const d = authorizer.authorize(attrs);
    if (d.decision !== 'allow') throw forbidden({ ...attrs, user: requester.name }, d.reason);
  }
  const all = [...groups];
  const sa = name.startsWith(SA_PREFIX) ? name.slice(SA_PREFIX.length).split(':') : undefined;
  if (sa?.length === 2 && groups.length === 0) all.push('system:serviceaccounts', `system:serviceaccounts:${sa[0]}`);
  const implied = name === 'system:anonymous' ? 'system:unauthenticated' : 'system:authenticated';
  if (!all.includes(implied)) all.push(implied);
  return { name, ...(uid !== undefined ? { uid } : {}), groups: all };
}

