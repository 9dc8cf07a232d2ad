// rbac.authorization.k8s.io/v1 ClusterRoleBinding: grants a ClusterRole in every namespace.
import { bindingTable, defaultBinding, validateBindingObject, validateBindingUpdate } from './rbac/binding.ts';
import type { ResourceDefinition } from './types.ts';

export const clusterRoleBinding: ResourceDefinition = {
  group: 'rbac.authorization.k8s.io',
  kind: 'ClusterRoleBinding',
  resource: 'clusterrolebindings',
  singular: 'clusterrolebinding',
  namespaced: false,
  versions: [{ version: 'v1' }],
  nameValidation: 'path-segment',
  defaults: defaultBinding,
  validate: (obj) => validateBindingObject(obj, false),
  validateUpdate: validateBindingUpdate,
  table: bindingTable,
};
