// A container's resources (ValidateResourceRequirements): names, quantities, requests <= limits.
import { FieldPath, invalid, notSupported, type FieldError } from '../../field-errors.ts';
import { isQualifiedName } from '../../validation/names.ts';
import { compareQuantities, formatQuantity, parseQuantity, QuantityError, type Quantity } from '../../../util/quantity.ts';
import { isRecord } from './json.ts';

const standardContainerResources = ['cpu', 'memory', 'ephemeral-storage'];

/** A resource name is standard, hugepages-<size>, or an extended name with a domain prefix. */
function validateResourceName(name: string, path: FieldPath): FieldError[] {
  for (const msg of isQualifiedName(name)) return [invalid(path, name, msg)];
  if (standardContainerResources.includes(name) || name.startsWith('hugepages-')) return [];
  if (!name.includes('/')) return [notSupported(path, name, standardContainerResources)];
  if (name.startsWith('kubernetes.io/') || name.startsWith('requests.')) {
    return [invalid(path, name, 'must be a standard resource for containers')];
  }
  return [];
}

function quantityOf(value: unknown, path: FieldPath, errs: FieldError[]): Quantity | undefined {
  try {
    if (typeof value !== 'string' && typeof value !== 'number') throw new QuantityError('must be a string');
    const q = parseQuantity(value);
    if (q.nanos < 0n) {
      errs.push(invalid(path, value, 'must be greater than or equal to 0'));
      return undefined;
    }
    return q;
  } catch (e) {
    errs.push(invalid(path, value, (e as Error).message));
    return undefined;
  }
}

function quantities(list: unknown, path: FieldPath, errs: FieldError[]): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  if (list === undefined || list === null) return out;
  if (!isRecord(list)) {
    errs.push(invalid(path, list, 'must be a map of resource names to quantities'));
    return out;
  }
  for (const [name, value] of Object.entries(list)) {
    const at = path.key(name);
    const nameErrs = validateResourceName(name, at);
    errs.push(...nameErrs);
    const q = quantityOf(value, at, errs);
    if (q && !nameErrs.length) {
      // Upstream: cpu and memory may be fractional, but other resources must be whole.
      if (name.startsWith('hugepages-') || (!standardContainerResources.includes(name) && name.includes('/'))) {
        if (q.nanos % 1_000_000_000n !== 0n) errs.push(invalid(at, value, 'must be an integer'));
      }
      out.set(name, q);
    }
  }
  return out;
}

export function validateResourceRequirements(resources: unknown, path: FieldPath): FieldError[] {
  if (resources === undefined || resources === null) return [];
  if (!isRecord(resources)) return [invalid(path, resources, 'must be an object')];
  const errs: FieldError[] = [];
  const r = resources as { limits?: unknown; requests?: unknown };
  const limits = quantities(r.limits, path.child('limits'), errs);
  const requests = quantities(r.requests, path.child('requests'), errs);
  for (const [name, req] of requests) {
    const limit = limits.get(name);
    if (limit && compareQuantities(req, limit) > 0) {
      errs.push(invalid(path.child('requests').key(name), formatQuantity(req), `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`));
    }
    // Extended resources cannot be overcommitted: request and limit must be equal.
    if (name.includes('/') && !name.startsWith('hugepages-') && (!limit || compareQuantities(req, limit) !== 0)) {
      errs.push(invalid(path.child('requests').key(name), formatQuantity(req), `must be equal to ${name} limit of ${limit ? formatQuantity(limit) : '0'}`));
    }
  }
  return errs;
}
