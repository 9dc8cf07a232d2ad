// Whom a binding's subject names (upstream's appliesToUser): a user by name, a group the user
// is in, or a service account by its username system:serviceaccount:<namespace>:<name>, where a
// RoleBinding's subject without a namespace means the binding's own.
import type { Subject } from 'kubernetes-types/rbac/v1';
import type { UserInfo } from '../authenticator.ts';

export const serviceAccountUsername = (namespace: string, name: string): string => `system:serviceaccount:${namespace}:${name}`;

export function appliesToUser(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const namespace = subject.namespace || bindingNamespace;
      return !!namespace && user.name === serviceAccountUsername(namespace, subject.name);
    }
    default:
      return false;
  }
}

/** The subject as upstream's allow reasons name it: `User "alice"`, `ServiceAccount "name/ns"`. */
export function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') return `${subject.kind} "${subject.name}/${subject.namespace || bindingNamespace}"`;
  return `${subject.kind} "${subject.name}"`;
}
