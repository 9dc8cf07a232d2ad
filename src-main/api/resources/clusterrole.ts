// rbac.authorization.k8s.io/v1 ClusterRole: cluster-wide permissions, non-resource URLs, and
// aggregation of other cluster roles by label selector.
import { roleTable, validateRoleObject } from './rbac/policy-rule.ts';
import type { ResourceDefinition } from './types.ts';

export const clusterRole: ResourceDefinition = {
  group: 'rbac.authorization.k8s.io',
  kind: 'ClusterRole',
  resource: 'clusterroles',
  singular: 'clusterrole',
  namespaced: false,
  versions: [{ version: 'v1' }],
  nameValidation: 'path-segment',
  validate: (obj) => validateRoleObject(obj, false),
  table: roleTable,
};
