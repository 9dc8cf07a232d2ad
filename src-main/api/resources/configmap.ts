// v1 ConfigMap: string and binary data under valid keys, at most 1 MiB in all, frozen for good
// once `immutable: true` (pkg/apis/core/validation ValidateConfigMap/ValidateConfigMapUpdate).
import { FieldPath, invalid, tooLong, type FieldError } from '../field-errors.ts';
import { nameIsDNSSubdomain, validateObjectMeta } from '../validation/object-meta.ts';
import { ageColumn, ageOf, isConfigMapKey, nameColumn, nameOf, recordAt, stringMap, validateImmutableData } from './shared-meta.ts';
import { decodedBase64Length } from './shared-base64.ts';
import type { ResourceDefinition } from './types.ts';

/** MaxSecretSize: the most data one ConfigMap or Secret may carry. */
export const maxDataSize = 1024 * 1024;

export const configMap: ResourceDefinition = {
  group: '',
  kind: 'ConfigMap',
  resource: 'configmaps',
  singular: 'configmap',
  shortNames: ['cm'],
  namespaced: true,
  versions: [{ version: 'v1' }],

  validate(obj) {
    const errs: FieldError[] = validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
    const dataPath = FieldPath.root('data');
    const binaryPath = FieldPath.root('binaryData');
    const data = stringMap(obj.data, dataPath);
    const binary = stringMap(obj.binaryData, binaryPath);
    errs.push(...data.errors, ...binary.errors);
    let size = 0;
    for (const [key, value] of Object.entries(data.map)) {
      for (const msg of isConfigMapKey(key)) errs.push(invalid(dataPath.key(key), key, msg));
      if (key in binary.map) errs.push(invalid(dataPath.key(key), key, 'duplicate of key present in binaryData'));
      if (typeof value !== 'string') errs.push(invalid(dataPath.key(key), value, 'must be a string'));
      else size += Buffer.byteLength(value);
    }
    for (const [key, value] of Object.entries(binary.map)) {
      for (const msg of isConfigMapKey(key)) errs.push(invalid(binaryPath.key(key), key, msg));
      const length = decodedBase64Length(value);
      if (length === undefined) errs.push(invalid(binaryPath.key(key), '<binary data>', 'must be a base64-encoded string'));
      else size += length;
    }
    // Upstream names no field here: the limit is on the object as a whole.
    if (size > maxDataSize) errs.push(tooLong('', '', maxDataSize));
    return errs;
  },

  validateUpdate: (obj, old) => validateImmutableData(obj, old, ['data', 'binaryData']),

  table: {
    columns: [nameColumn, { name: 'Data', type: 'string', description: 'How many keys the config map holds (data and binaryData).', priority: 0 }, ageColumn],
    cells: (obj, now) => [nameOf(obj), Object.keys(recordAt(obj, 'data') ?? {}).length + Object.keys(recordAt(obj, 'binaryData') ?? {}).length, ageOf(obj, now)],
  },
};
