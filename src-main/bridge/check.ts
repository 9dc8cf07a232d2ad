// Checks for parameters that come from a renderer (or a browser tab) and so are not trusted
// because of their TypeScript type. Each throws a ServiceError (400) naming the parameter.
import { ServiceError } from './service-error.ts';

// DNS-1123 subdomain: what Kubernetes allows for namespace, pod and most object names.
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export type Params = Record<string, unknown>;

export function params(value: unknown, method: string): Params {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ServiceError(`${method}: parameters must be an object`, 400);
  return value as Params;
}

export function name(p: Params, key: string, method: string): string {
  const v = p[key];
  if (typeof v !== 'string' || !NAME.test(v)) throw new ServiceError(`${method}: ${key} must be a valid Kubernetes name`, 400);
  return v;
}

export function optionalName(p: Params, key: string, method: string): string | undefined {
  return p[key] === undefined || p[key] === '' ? undefined : name(p, key, method);
}

export function string(p: Params, key: string, method: string, maxLength = 1 << 20): string {
  const v = p[key];
  if (typeof v !== 'string' || v.length > maxLength) throw new ServiceError(`${method}: ${key} must be a string`, 400);
  return v;
}

export function optionalString(p: Params, key: string, method: string, maxLength?: number): string | undefined {
  return p[key] === undefined ? undefined : string(p, key, method, maxLength);
}

export function integer(p: Params, key: string, method: string, min: number, max: number): number {
  const v = p[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ServiceError(`${method}: ${key} must be an integer from ${min} to ${max}`, 400);
  }
  return v;
}

export function optionalInteger(p: Params, key: string, method: string, min: number, max: number): number | undefined {
  return p[key] === undefined ? undefined : integer(p, key, method, min, max);
}

export function boolean(p: Params, key: string, method: string): boolean {
  const v = p[key];
  if (typeof v !== 'boolean') throw new ServiceError(`${method}: ${key} must be true or false`, 400);
  return v;
}

export function optionalBoolean(p: Params, key: string, method: string): boolean | undefined {
  return p[key] === undefined ? undefined : boolean(p, key, method);
}

export function oneOf<T extends string>(p: Params, key: string, method: string, values: readonly T[]): T {
  const v = p[key];
  if (typeof v !== 'string' || !values.includes(v as T)) throw new ServiceError(`${method}: ${key} must be one of ${values.join(', ')}`, 400);
  return v as T;
}
