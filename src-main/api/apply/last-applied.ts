// Moving from client-side to server-side apply with kubectl. Objects applied client-side carry
// the last-applied-configuration annotation and are owned by "kubectl-client-side-apply". When
// `kubectl apply --server-side` (manager "kubectl") meets them, upstream lets it take over the
// fields whose live values still equal what was last applied client-side instead of reporting
// conflicts, and keeps the annotation in step so that going back to client-side apply works.
import type { Schema } from '../openapi/spec.ts';
import type { KubeObject } from '../resources/types.ts';
import { compareObjects } from './compare.ts';
import { fieldSetOf } from './field-set-of.ts';
import { canonicalJSON, pathString } from './fieldpath.ts';
import { isObject } from './shape.ts';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Only kubectl's own server-side apply takes part, as upstream (other managers opt out). */
export const KUBECTL_MANAGER = 'kubectl';

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/**
 * The conflict fields (as printed paths) the applier may take without force: those the live
 * object still has exactly as the last client-side apply set them. Undefined when the object
 * has no usable annotation.
 */
export function allowedFromLastApplied(live: KubeObject, apiVersion: string, schema: Schema | undefined): Set<string> | undefined {
  const text = live.metadata.annotations?.[LAST_APPLIED_ANNOTATION];
  if (!text) return undefined;
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(lastApplied) || lastApplied.apiVersion !== apiVersion) return undefined;
  const c = compareObjects(lastApplied, live, schema);
  const still = fieldSetOf(lastApplied, schema).difference(c.modified).difference(c.added).difference(c.removed);
  return new Set(still.paths().map(pathString));
}

// Go's JSON encoder escapes these for HTML safety; the annotation text should match upstream's.
function goJSON(v: unknown): string {
  return canonicalJSON(v)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * After a successful apply by kubectl: when the result still carries the annotation, it is
 * rewritten to the configuration just applied (without the annotation itself).
 */
export function syncLastApplied(result: KubeObject, applied: KubeObject): KubeObject {
  if (!result.metadata.annotations?.[LAST_APPLIED_ANNOTATION]) return result;
  const { [LAST_APPLIED_ANNOTATION]: _own, ...otherAnnotations } = applied.metadata.annotations ?? {};
  const metadata = { ...applied.metadata };
  if (Object.keys(otherAnnotations).length > 0) metadata.annotations = otherAnnotations;
  else delete metadata.annotations;
  const text = `${goJSON({ ...applied, metadata })}\n`;
  const annotations: Record<string, string> = { ...result.metadata.annotations, [LAST_APPLIED_ANNOTATION]: text };
  // Upstream drops the annotation rather than make the object invalid (annotations are limited
  // to 256 KiB in total).
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += Buffer.byteLength(k) + Buffer.byteLength(v);
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) delete annotations[LAST_APPLIED_ANNOTATION];
  return { ...result, metadata: { ...result.metadata, annotations } };
}
