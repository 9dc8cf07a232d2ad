// rbac.authorization.k8s.io/v1 RoleBinding: grants a Role or ClusterRole within one namespace.
import { bindingTable, defaultBinding, validateBindingObject, validateBindingUpdate } from './rbac/binding.ts';
import type { ResourceDefinition } from './types.ts';

export const roleBinding: ResourceDefinition = {
  group: 'rbac.authorization.k8s.io',
  kind: 'RoleBinding',
  resource: 'rolebindings',
  singular: 'rolebinding',
  namespaced: true,
  versions: [{ version: 'v1' }],
  nameValidation: 'path-segment',
  defaults: defaultBinding,
  validate: (obj) => validateBindingObject(obj, true),
  validateUpdate: validateBindingUpdate,
  table: bindingTable,
};
