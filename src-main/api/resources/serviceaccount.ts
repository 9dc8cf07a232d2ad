// v1 ServiceAccount: a namespaced identity for pods; `kubectl get sa` shows its secret count.
import { FieldPath, invalid, type FieldError } from '../field-errors.ts';
import { nameIsDNSSubdomain, validateObjectMeta } from '../validation/object-meta.ts';
import { ageColumn, ageOf, arrayAt, isRecord, nameColumn, nameOf } from './shared-meta.ts';
import type { ResourceDefinition } from './types.ts';

export const serviceAccount: ResourceDefinition = {
  group: '',
  kind: 'ServiceAccount',
  resource: 'serviceaccounts',
  singular: 'serviceaccount',
  shortNames: ['sa'],
  namespaced: true,
  versions: [{ version: 'v1' }],

  validate(obj) {
    const errs: FieldError[] = validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
    for (const field of ['secrets', 'imagePullSecrets']) {
      const value = obj[field];
      if (value !== undefined && !Array.isArray(value)) errs.push(invalid(field, value, 'must be a list'));
      arrayAt(obj, field).forEach((ref, i) => {
        if (!isRecord(ref)) errs.push(invalid(FieldPath.root(field).index(i), ref, 'must be an object'));
      });
    }
    if (obj.automountServiceAccountToken !== undefined && typeof obj.automountServiceAccountToken !== 'boolean') {
      errs.push(invalid('automountServiceAccountToken', obj.automountServiceAccountToken, 'must be a boolean'));
    }
    return errs;
  },

  table: {
    columns: [nameColumn, { name: 'Secrets', type: 'string', description: 'How many secrets the service account lists.', priority: 0 }, ageColumn],
    cells: (obj, now) => [nameOf(obj), arrayAt(obj, 'secrets').length, ageOf(obj, now)],
  },
};
