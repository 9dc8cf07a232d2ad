// apps/v1 ControllerRevision: an immutable snapshot of a DaemonSet's (or StatefulSet's)
// template, numbered, so `kubectl rollout history|undo ds/x` can read and restore it
// (pkg/apis/apps/validation ValidateControllerRevision).
import { FieldPath, invalid, required, type FieldError } from '../field-errors.ts';
import { nameIsDNSSubdomain, validateObjectMeta } from '../validation/object-meta.ts';
import { ageColumn, ageOf, immutableField, nameColumn, nameOf } from './shared-meta.ts';
import type { KubeObject, ResourceDefinition } from './types.ts';

function controllerCell(obj: KubeObject): string {
  const ref = obj.metadata.ownerReferences?.find((r) => r.controller);
  if (!ref) return '<none>';
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  return `${ref.kind.toLowerCase()}${group ? `.${group}` : ''}/${ref.name}`;
}

export const controllerRevision: ResourceDefinition = {
  group: 'apps',
  kind: 'ControllerRevision',
  resource: 'controllerrevisions',
  singular: 'controllerrevision',
  namespaced: true,
  versions: [{ version: 'v1' }],

  validate(obj) {
    const errs: FieldError[] = validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
    const revision = obj.revision;
    if (revision === undefined || revision === null) errs.push(required(FieldPath.root('revision')));
    else if (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 0) {
      errs.push(invalid(FieldPath.root('revision'), revision, 'must be greater than or equal to 0'));
    }
    return errs;
  },

  validateUpdate(obj, old) {
    return immutableField(obj.data, old.data, FieldPath.root('data'));
  },

  table: {
    columns: [
      nameColumn,
      { name: 'Controller', type: 'string', description: 'Controller of the object', priority: 0 },
      // a "string" column holding the number, as upstream's printer declares it
      { name: 'Revision', type: 'string', description: 'Revision indicates the revision of the state represented by Data.', priority: 0 },
      ageColumn,
    ],
    cells: (obj, now) => [nameOf(obj), controllerCell(obj), obj.revision ?? 0, ageOf(obj, now)],
  },
};
