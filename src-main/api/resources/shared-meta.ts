// Small helpers the non-workload kinds share: reading untyped JSON safely, the Name and Age
// table columns, config-map/secret key syntax and immutability checks.
import { forbidden, invalid, type FieldError, type FieldPath } from '../field-errors.ts';
import { age } from '../printing/age.ts';
import type { KubeObject, TableColumn } from './types.ts';

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The object at obj[key], created when missing, for defaulting in place. */
export function ensureRecord(obj: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = obj[key];
  if (isRecord(v)) return v;
  const fresh: Record<string, unknown> = {};
  obj[key] = fresh;
  return fresh;
}

export const recordAt = (obj: unknown, key: string): Record<string, unknown> | undefined => {
  if (!isRecord(obj)) return undefined;
  const v = obj[key];
  return isRecord(v) ? v : undefined;
};

export const arrayAt = (obj: unknown, key: string): unknown[] => {
  if (!isRecord(obj)) return [];
  const v = obj[key];
  return Array.isArray(v) ? v : [];
};

export const stringAt = (obj: unknown, key: string): string | undefined => {
  if (!isRecord(obj)) return undefined;
  const v = obj[key];
  return typeof v === 'string' ? v : undefined;
};

/** JSON equality with key order ignored, as reflect.DeepEqual on decoded objects. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** Upstream's ValidateImmutableField. */
export function immutableField(newValue: unknown, oldValue: unknown, path: FieldPath | string): FieldError[] {
  return deepEqual(newValue, oldValue) ? [] : [invalid(path, newValue, 'field is immutable')];
}

export const nameColumn: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'The name of the object, unique within its namespace (or the cluster for cluster-scoped kinds).',
  priority: 0,
};

export const ageColumn: TableColumn = {
  name: 'Age',
  type: 'string',
  description: 'How long ago the object was created (metadata.creationTimestamp).',
  priority: 0,
};

export const nameOf = (obj: KubeObject): string => obj.metadata?.name ?? '';
export const ageOf = (obj: KubeObject, now: Date): string => age(obj.metadata?.creationTimestamp, now);

const configKeyRe = /^[-._a-zA-Z0-9]+$/;

/** IsConfigMapKey: the syntax of a ConfigMap or Secret data key. */
export function isConfigMapKey(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push('must be no more than 253 characters');
  if (!configKeyRe.test(key)) {
    errs.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  }
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** ConfigMaps and Secrets marked immutable keep their data and stay immutable. */
export function validateImmutableData(obj: KubeObject, old: KubeObject, dataFields: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of dataFields) {
    if (!deepEqual(obj[f] ?? {}, old[f] ?? {})) errs.push(forbidden(f, 'field is immutable when `immutable` is set'));
  }
  return errs;
}

/** The string-keyed map at obj[field], or an error when it has another shape. */
export function stringMap(value: unknown, path: FieldPath): { map: Record<string, unknown>; errors: FieldError[] } {
  if (value === undefined || value === null) return { map: {}, errors: [] };
  if (!isRecord(value)) return { map: {}, errors: [invalid(path, value, 'must be a map of string keys to string values')] };
  return { map: value, errors: [] };
}
