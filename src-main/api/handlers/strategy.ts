// The generic create/update strategy every kind shares (upstream's rest.BeforeCreate and
// BeforeUpdate): metadata the server owns, status vs spec, generation, defaults and validation.
// Kind-specific rules come from the ResourceDefinition hooks.
import { randomUUID } from 'node:crypto';
import type { FieldError } from '../field-errors.ts';
import type { KubeObject, ResourceDefinition, StrategyContext } from '../resources/types.ts';
import { nameIsDNSLabel, nameIsDNSSubdomain, nameIsPathSegment, validateObjectMeta, type NameValidator } from '../validation/object-meta.ts';
import { invalid } from '../status.ts';
import { timestamp } from './context.ts';
import { cloneJSON } from '../../util/clone-json.ts';

const generateAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** Upstream's SimpleNameGenerator: the prefix cut to fit, plus five random characters. */
export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += generateAlphabet[Math.floor(Math.random() * generateAlphabet.length)];
  return `${prefix.slice(0, 63 - 5)}${suffix}`;
}

export function hasStatus(def: ResourceDefinition): boolean {
  return def.subresources?.status === true;
}

/** Kinds whose metadata.generation upstream counts (their controllers report observedGeneration). */
const generationKinds = new Set(['apps/deployments', 'apps/replicasets', 'apps/daemonsets', 'batch/jobs', 'batch/cronjobs', 'autoscaling/horizontalpodautoscalers', '/pods']);

export function tracksGeneration(def: ResourceDefinition): boolean {
  return generationKinds.has(`${def.group}/${def.resource}`);
}

/** Fields the server sets on create, whatever the client sent. */
export function initCreateMetadata(obj: KubeObject, now: Date): void {
  const m = obj.metadata;
  if (!m.name && m.generateName) m.name = generateName(m.generateName);
  m.uid = randomUUID();
  m.creationTimestamp = timestamp(now);
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.generation;
  delete (m as Record<string, unknown>).selfLink;
}

export async function prepareCreate(def: ResourceDefinition, obj: KubeObject, ctx: StrategyContext): Promise<void> {
  def.defaults?.(obj);
  // Most kinds start with an empty status their controllers fill; a node registers with its own.
  if (hasStatus(def) && !(def.group === '' && def.resource === 'nodes')) delete obj.status;
  if (tracksGeneration(def)) obj.metadata.generation = 1;
  await def.prepareForCreate?.(obj, ctx);
}

/** Everything but metadata and status: what a generation counts changes of. */
function specOf(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/**
 * Carries over what an update may not change (uid, creation time, deletion state) and applies the
 * status/spec split: a status update changes only status, a main update everything but status.
 */
export async function prepareUpdate(def: ResourceDefinition, next: KubeObject, old: KubeObject, subresource: string | undefined, ctx: StrategyContext): Promise<KubeObject> {
  let obj = next;
  if (subresource === 'status' || subresource === 'approval') {
    // Everything but the status is the old object's; old is shared, so this part is copied.
    const { status: _replaced, ...kept } = old;
    obj = { ...cloneJSON(kept), status: next.status };
    obj.metadata.managedFields = next.metadata.managedFields ?? old.metadata.managedFields;
  } else if (hasStatus(def) && subresource === undefined) {
    if (old.status === undefined) delete obj.status;
    else obj.status = cloneJSON(old.status);
  }
  const m = obj.metadata;
  const o = old.metadata;
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  if (o.deletionTimestamp) m.deletionTimestamp = o.deletionTimestamp;
  else delete m.deletionTimestamp;
  if (o.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  else delete m.deletionGracePeriodSeconds;
  delete m.resourceVersion;
  delete (m as Record<string, unknown>).selfLink;
  if (m.generateName === undefined && o.generateName !== undefined) m.generateName = o.generateName;
  def.defaults?.(obj);
  if (o.generation !== undefined) m.generation = o.generation;
  else delete m.generation;
  if (tracksGeneration(def) && subresource !== 'status' && !deepEqual(specOf(obj), specOf(old))) m.generation = (o.generation ?? 0) + 1;
  await def.prepareForUpdate?.(obj, old, ctx);
  return obj;
}

const nameValidators: Record<NonNullable<ResourceDefinition['nameValidation']>, NameValidator> = {
  subdomain: nameIsDNSSubdomain,
  label: nameIsDNSLabel,
  'path-segment': nameIsPathSegment,
};

export function validateCreate(def: ResourceDefinition, obj: KubeObject): FieldError[] {
  if (def.validate) return def.validate(obj);
  return validateObjectMeta(obj.metadata, def.namespaced, nameValidators[def.nameValidation ?? 'subdomain']);
}

export function validateUpdate(def: ResourceDefinition, obj: KubeObject, old: KubeObject): FieldError[] {
  return [...validateCreate(def, obj), ...(def.validateUpdate?.(obj, old) ?? [])];
}

export function throwIfInvalid(def: ResourceDefinition, obj: KubeObject, errors: FieldError[]): void {
  if (errors.length > 0) throw invalid(def.group, def.kind, obj.metadata?.name ?? obj.metadata?.generateName ?? '', errors);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
