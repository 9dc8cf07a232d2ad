// RBAC bindings (pkg/apis/rbac/validation ValidateRoleBinding, ValidateRoleBindingSubject;
// rbac/v1 defaults): a roleRef fixed at creation, subjects of three kinds, and the table both
// binding kinds print.
import { FieldPath, invalid, notSupported, required, type FieldError } from '../../field-errors.ts';
import { isDNS1123Subdomain, isValidPathSegmentName } from '../../validation/names.ts';
import { nameIsPathSegment, validateObjectMeta } from '../../validation/object-meta.ts';
import { ageColumn, ageOf, arrayAt, deepEqual, isRecord, nameColumn, nameOf, recordAt, stringAt } from '../shared-meta.ts';
import type { KubeObject, TablePrinter } from '../types.ts';

export const rbacGroup = 'rbac.authorization.k8s.io';
const subjectKinds = ['ServiceAccount', 'User', 'Group'];

/** SetDefaults_Subject and the roleRef's group: User and Group subjects belong to the RBAC group. */
export function defaultBinding(obj: KubeObject): void {
  const roleRef = recordAt(obj, 'roleRef');
  if (roleRef && !roleRef.apiGroup) roleRef.apiGroup = rbacGroup;
  for (const s of arrayAt(obj, 'subjects')) {
    if (!isRecord(s) || s.apiGroup) continue;
    if (s.kind === 'ServiceAccount') s.apiGroup = '';
    else if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = rbacGroup;
  }
}

function validateSubject(s: unknown, namespaced: boolean, path: FieldPath): FieldError[] {
  if (!isRecord(s)) return [invalid(path, s, 'must be an object')];
  const errs: FieldError[] = [];
  const name = typeof s.name === 'string' ? s.name : '';
  if (!name) errs.push(required(path.child('name')));
  const apiGroup = s.apiGroup ?? '';
  switch (s.kind) {
    case 'ServiceAccount':
      if (name) errs.push(...isDNS1123Subdomain(name).map((m) => invalid(path.child('name'), name, m)));
      if (apiGroup) errs.push(notSupported(path.child('apiGroup'), apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(required(path.child('namespace')));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== rbacGroup) errs.push(notSupported(path.child('apiGroup'), apiGroup, [rbacGroup]));
      break;
    default:
      errs.push(notSupported(path.child('kind'), s.kind, subjectKinds));
  }
  return errs;
}

/** A binding of either kind; cluster bindings may only refer to ClusterRoles. */
export function validateBindingObject(obj: KubeObject, namespaced: boolean): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, namespaced, nameIsPathSegment);
  const refPath = FieldPath.root('roleRef');
  const roleRef = recordAt(obj, 'roleRef') ?? {};
  if (roleRef.apiGroup !== rbacGroup) errs.push(notSupported(refPath.child('apiGroup'), roleRef.apiGroup ?? '', [rbacGroup]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(String(roleRef.kind))) errs.push(notSupported(refPath.child('kind'), roleRef.kind ?? '', kinds));
  const name = typeof roleRef.name === 'string' ? roleRef.name : '';
  if (!name) errs.push(required(refPath.child('name')));
  else errs.push(...isValidPathSegmentName(name).map((m) => invalid(refPath.child('name'), name, m)));
  const subjects = FieldPath.root('subjects');
  arrayAt(obj, 'subjects').forEach((s, i) => errs.push(...validateSubject(s, namespaced, subjects.index(i))));
  return errs;
}

/** The role a binding grants is fixed: to change it, delete and recreate the binding. */
export function validateBindingUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  return deepEqual(obj.roleRef, old.roleRef) ? [] : [invalid('roleRef', obj.roleRef, 'cannot change roleRef')];
}

/** rbac.SubjectsStrings: users, groups and namespace/name of service accounts. */
function subjectStrings(obj: KubeObject): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of arrayAt(obj, 'subjects')) {
    const name = stringAt(s, 'name') ?? '';
    if (stringAt(s, 'kind') === 'User') users.push(name);
    else if (stringAt(s, 'kind') === 'Group') groups.push(name);
    else if (stringAt(s, 'kind') === 'ServiceAccount') sas.push(`${stringAt(s, 'namespace') ?? ''}/${name}`);
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

export const bindingTable: TablePrinter = {
  columns: [
    nameColumn,
    { name: 'Role', type: 'string', description: 'The role the binding grants, as Kind/name.', priority: 0 },
    ageColumn,
    { name: 'Users', type: 'string', description: 'Users the role is granted to.', priority: 1 },
    { name: 'Groups', type: 'string', description: 'Groups the role is granted to.', priority: 1 },
    { name: 'ServiceAccounts', type: 'string', description: 'Service accounts the role is granted to.', priority: 1 },
  ],
  cells(obj, now) {
    const ref = recordAt(obj, 'roleRef');
    return [nameOf(obj), `${stringAt(ref, 'kind') ?? ''}/${stringAt(ref, 'name') ?? ''}`, ageOf(obj, now), ...subjectStrings(obj)];
  },
};

