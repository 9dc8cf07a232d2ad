// ObjectMeta validation shared by every kind (apimachinery's ValidateObjectMeta).
import { FieldPath, invalid, required, tooLong, type FieldError } from '../field-errors.ts';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidPathSegmentName } from './names.ts';

export type NameValidator = (name: string, prefix: boolean) => string[];

/** Most kinds: a DNS-1123 subdomain. With prefix, a generateName prefix (may end in '-'). */
export const nameIsDNSSubdomain: NameValidator = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
/** RBAC objects and a few others accept any name that is a valid path segment. */
export const nameIsPathSegment: NameValidator = (name) => isValidPathSegmentName(name);

function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -1)}a` : name;
}

const totalAnnotationSizeLimit = 256 * 1024;

export function validateLabels(labels: unknown, path: FieldPath): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== 'object' || Array.isArray(labels)) return [invalid(path, labels, 'must be a map of string keys to string values')];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    for (const msg of isQualifiedName(k)) errs.push(invalid(path, k, msg));
    if (typeof v !== 'string') errs.push(invalid(path.key(k), v, 'must be a string'));
    else for (const msg of isValidLabelValue(v)) errs.push(invalid(path.key(k), v, msg));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, path: FieldPath): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (typeof annotations !== 'object' || Array.isArray(annotations)) return [invalid(path, annotations, 'must be a map of string keys to string values')];
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations as Record<string, unknown>)) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, msg));
    if (typeof v !== 'string') errs.push(invalid(path.key(k), v, 'must be a string'));
    size += k.length + (typeof v === 'string' ? v.length : 0);
  }
  if (size > totalAnnotationSizeLimit) errs.push(tooLong(path, '', totalAnnotationSizeLimit));
  return errs;
}

/**
 * Validates metadata on create and update. namespaced tells whether the kind lives in a
 * namespace (then metadata.namespace is required, else forbidden).
 */
export function validateObjectMeta(meta: unknown, namespaced: boolean, validateName: NameValidator, path = FieldPath.root('metadata')): FieldError[] {
  if (meta === undefined || meta === null || typeof meta !== 'object' || Array.isArray(meta)) return [required(path)];
  const m = meta as Record<string, unknown>;
  const errs: FieldError[] = [];
  const name = m.name;
  const generateName = m.generateName;
  if (generateName !== undefined && generateName !== '') {
    if (typeof generateName !== 'string') errs.push(invalid(path.child('generateName'), generateName, 'must be a string'));
    else for (const msg of validateName(generateName, true)) errs.push(invalid(path.child('generateName'), generateName, msg));
  }
  if (name === undefined || name === '') {
    if (!generateName) errs.push(required(path.child('name'), 'name or generateName is required'));
  } else if (typeof name !== 'string') {
    errs.push(invalid(path.child('name'), name, 'must be a string'));
  } else {
    for (const msg of validateName(name, false)) errs.push(invalid(path.child('name'), name, msg));
  }
  if (namespaced) {
    if (!m.namespace) errs.push(required(path.child('namespace')));
    else if (typeof m.namespace !== 'string') errs.push(invalid(path.child('namespace'), m.namespace, 'must be a string'));
    else for (const msg of isDNS1123Label(m.namespace)) errs.push(invalid(path.child('namespace'), m.namespace, msg));
  } else if (m.namespace) {
    errs.push({ type: 'FieldValueForbidden', field: String(path.child('namespace')), detail: 'not allowed on this type' });
  }
  errs.push(...validateLabels(m.labels, path.child('labels')));
  errs.push(...validateAnnotations(m.annotations, path.child('annotations')));
  return errs;
}
