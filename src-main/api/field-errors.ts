// Field errors as upstream's apimachinery/pkg/util/validation/field: a type, the path of the
// field (`spec.template.spec.containers[0].image`), and a detail. They become the `causes` of a
// 422 Invalid Status, worded like kube-apiserver words them so kubectl prints the same lines.

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'FieldValueNotFound';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  value?: unknown;
  detail?: string;
}

/** A path to a field, built the way upstream's field.Path is: `spec.containers[0].image`. */
export class FieldPath {
  private constructor(private readonly text: string) {}

  static root(name = ''): FieldPath {
    return new FieldPath(name);
  }

  child(name: string): FieldPath {
    return new FieldPath(this.text ? `${this.text}.${name}` : name);
  }

  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }

  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }

  toString(): string {
    return this.text;
  }
}

type At = FieldPath | string;

export const required = (field: At, detail?: string): FieldError => ({ type: 'FieldValueRequired', field: String(field), detail });
export const invalid = (field: At, value: unknown, detail?: string): FieldError => ({ type: 'FieldValueInvalid', field: String(field), value, detail });
export const forbidden = (field: At, detail: string): FieldError => ({ type: 'FieldValueForbidden', field: String(field), detail });
export const duplicate = (field: At, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field: String(field), value });
export const notFound = (field: At, value: unknown): FieldError => ({ type: 'FieldValueNotFound', field: String(field), value });
export const tooLong = (field: At, value: unknown, max: number): FieldError => ({
  type: 'FieldValueTooLong',
  field: String(field),
  value,
  detail: `may not be more than ${max} bytes`,
});
export const tooMany = (field: At, actual: number, max: number): FieldError => ({
  type: 'FieldValueTooMany',
  field: String(field),
  value: actual,
  detail: `must have at most ${max} items`,
});
export const typeInvalid = (field: At, value: unknown, detail: string): FieldError => ({ type: 'FieldValueTypeInvalid', field: String(field), value, detail });

export function notSupported(field: At, value: unknown, supported: readonly string[]): FieldError {
  const list = supported.map((s) => JSON.stringify(s)).join(', ');
  return { type: 'FieldValueNotSupported', field: String(field), value, detail: list ? `supported values: ${list}` : undefined };
}

/** How upstream quotes a bad value in a message: strings quoted, numbers and booleans bare. */
function formatValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const typeWords: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueNotFound: 'Not found',
};

/** The message of one cause, without the field: `Invalid value: "x": must be ...`. */
export function errorBody(e: FieldError): string {
  let s = typeWords[e.type];
  const showsValue = e.type !== 'FieldValueRequired' && e.type !== 'FieldValueForbidden' && e.type !== 'FieldValueTooMany' && e.type !== 'FieldValueTooLong';
  if (showsValue) s += `: ${formatValue(e.value)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

/** `field: body`, as upstream's field.Error.Error(). */
export function formatFieldError(e: FieldError): string {
  return e.field ? `${e.field}: ${errorBody(e)}` : errorBody(e);
}

/** Prefixes every error's path, for validating an embedded object (a pod template) in place. */
export function prefixErrors(prefix: FieldPath | string, errors: FieldError[]): FieldError[] {
  const p = String(prefix);
  return errors.map((e) => ({ ...e, field: e.field ? `${p}.${e.field}` : p }));
}
