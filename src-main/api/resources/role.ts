// rbac.authorization.k8s.io/v1 Role: namespaced permissions; names are any path segment.
import { roleTable, validateRoleObject } from './rbac/policy-rule.ts';
import type { ResourceDefinition } from './types.ts';

export const role: ResourceDefinition = {
  group: 'rbac.authorization.k8s.io',
  kind: 'Role',
  resource: 'roles',
  singular: 'role',
  namespaced: true,
  versions: [{ version: 'v1' }],
  nameValidation: 'path-segment',
  validate: (obj) => validateRoleObject(obj, true),
  table: roleTable,
};
