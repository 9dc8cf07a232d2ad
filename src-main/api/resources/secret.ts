// v1 Secret: base64 data under valid keys, write-only stringData folded into data, the keys each
// built-in type requires, at most 1 MiB, type and immutable data frozen
// (pkg/apis/core/validation ValidateSecret/ValidateSecretUpdate).
import { FieldPath, invalid, required, tooLong, type FieldError } from '../field-errors.ts';
import { nameIsDNSSubdomain, validateObjectMeta } from '../validation/object-meta.ts';
import { maxDataSize } from './configmap.ts';
import { base64Problem, decodedBase64Length } from './shared-base64.ts';
import { ageColumn, ageOf, immutableField, isConfigMapKey, isRecord, nameColumn, nameOf, recordAt, stringMap, validateImmutableData } from './shared-meta.ts';
import type { KubeObject, ResourceDefinition } from './types.ts';

const redacted = '<secret contents redacted>';

function decode(data: Record<string, unknown>, key: string): Buffer | undefined {
  const v = data[key];
  return typeof v === 'string' && decodedBase64Length(v) !== undefined ? Buffer.from(v, 'base64') : undefined;
}

function validateJSONKey(data: Record<string, unknown>, key: string, path: FieldPath): FieldError[] {
  const bytes = decode(data, key);
  if (!(key in data)) return [required(path.key(key))];
  if (bytes === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (!isRecord(parsed)) return [invalid(path.key(key), redacted, 'json: cannot unmarshal into a map')];
    return [];
  } catch (e) {
    return [invalid(path.key(key), redacted, (e as Error).message)];
  }
}

/** The keys each built-in type needs (ValidateSecret's switch on type). */
function validateType(obj: KubeObject, data: Record<string, unknown>, path: FieldPath): FieldError[] {
  switch (obj.type) {
    case 'kubernetes.io/service-account-token':
      // Only the account name is required; a controller adds the token and uid later.
      return obj.metadata?.annotations?.['kubernetes.io/service-account.name']
        ? []
        : [required(FieldPath.root('metadata').child('annotations').key('kubernetes.io/service-account.name'))];
    case 'kubernetes.io/dockercfg':
      return validateJSONKey(data, '.dockercfg', path);
    case 'kubernetes.io/dockerconfigjson':
      return validateJSONKey(data, '.dockerconfigjson', path);
    case 'kubernetes.io/basic-auth':
      // Either may be empty, but one of them must be there.
      return 'username' in data || 'password' in data ? [] : [required(path.key('username')), required(path.key('password'))];
    case 'kubernetes.io/ssh-auth':
      return (decode(data, 'ssh-privatekey')?.length ?? 0) > 0 ? [] : [required(path.key('ssh-privatekey'))];
    case 'kubernetes.io/tls': {
      const errs: FieldError[] = [];
      if (!('tls.crt' in data)) errs.push(required(path.key('tls.crt')));
      if (!('tls.key' in data)) errs.push(required(path.key('tls.key')));
      return errs;
    }
    default:
      return [];
  }
}

export const secret: ResourceDefinition = {
  group: '',
  kind: 'Secret',
  resource: 'secrets',
  singular: 'secret',
  namespaced: true,
  versions: [{ version: 'v1' }],
  selectableFields: {
    type: (obj) => (typeof obj.type === 'string' ? obj.type : ''),
  },

  defaults(obj) {
    obj.type ||= 'Opaque';
    // stringData is write-only: upstream's conversion encodes it into data (winning over data's
    // own value for a key) and it is never stored or returned.
    if (isRecord(obj.stringData)) {
      const data = isRecord(obj.data) ? obj.data : {};
      for (const [k, v] of Object.entries(obj.stringData)) {
        if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
      }
      obj.data = data;
    }
    delete obj.stringData;
  },

  validate(obj) {
    const errs: FieldError[] = validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
    const path = FieldPath.root('data');
    const { map: data, errors } = stringMap(obj.data, path);
    errs.push(...errors);
    let size = 0;
    for (const [key, value] of Object.entries(data)) {
      for (const msg of isConfigMapKey(key)) errs.push(invalid(path.key(key), key, msg));
      const length = decodedBase64Length(value);
      if (length === undefined) errs.push(invalid(path.key(key), redacted, typeof value === 'string' ? base64Problem(value) : 'must be a base64-encoded string'));
      else size += length;
    }
    if (size > maxDataSize) errs.push(tooLong(path, '', maxDataSize));
    if (obj.type !== undefined && typeof obj.type !== 'string') errs.push(invalid('type', obj.type, 'must be a string'));
    errs.push(...validateType(obj, data, path));
    return errs;
  },

  validateUpdate: (obj, old) => [...immutableField(obj.type, old.type, 'type'), ...validateImmutableData(obj, old, ['data'])],

  table: {
    columns: [
      nameColumn,
      { name: 'Type', type: 'string', description: 'The kind of secret: Opaque, kubernetes.io/tls, ...', priority: 0 },
      { name: 'Data', type: 'string', description: 'How many keys the secret holds.', priority: 0 },
      ageColumn,
    ],
    cells: (obj, now) => [nameOf(obj), typeof obj.type === 'string' ? obj.type : '', Object.keys(recordAt(obj, 'data') ?? {}).length, ageOf(obj, now)],
  },
};
