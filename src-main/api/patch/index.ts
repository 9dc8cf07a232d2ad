// PATCH bodies by content type, as kube-apiserver dispatches them (endpoints/handlers/patch.go).
// Server-side apply (application/apply-patch+yaml) is not a patch format here: it lives with
// managed fields.
import type { Schema } from '../openapi/spec.ts';
import { applyJSONMergePatch } from './json-merge-patch.ts';
import { applyJSONPatch } from './json-patch.ts';
import { badPatch, invalidPatch, PatchError } from './patch-error.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';
import { isJSONObject } from './json-value.ts';

export { PatchError, type PatchStatus } from './patch-error.ts';
export { applyJSONMergePatch } from './json-merge-patch.ts';
export { applyJSONPatch, maxJSONPatchOperations } from './json-patch.ts';
export { applyStrategicMergePatch } from './strategic-merge-patch.ts';

export const jsonPatchType = 'application/json-patch+json';
export const mergePatchType = 'application/merge-patch+json';
export const strategicMergePatchType = 'application/strategic-merge-patch+json';
export const applyPatchType = 'application/apply-patch+yaml';

export type PatchType = typeof jsonPatchType | typeof mergePatchType | typeof strategicMergePatchType;

/**
 * The PATCH content types a resource accepts, in upstream's order: strategic merge patch only
 * for kinds with a schema (built-in kinds), never for custom resources.
 */
export function acceptedPatchTypes(hasSchema: boolean): string[] {
  return hasSchema ? [jsonPatchType, mergePatchType, strategicMergePatchType, applyPatchType] : [jsonPatchType, mergePatchType, applyPatchType];
}

/** Upstream's 415 for a content type the resource does not accept. */
export function unsupportedPatchType(hasSchema: boolean): PatchError {
  return new PatchError(415, `the body of the request was in an unknown format - accepted media types include: ${acceptedPatchTypes(hasSchema).join(', ')}`);
}

export function isPatchType(type: string): type is PatchType {
  return type === jsonPatchType || type === mergePatchType || type === strategicMergePatchType;
}

/**
 * Applies a decoded PATCH body to the stored object (which is not changed). Throws PatchError,
 * whose `status` is the HTTP status kube-apiserver answers.
 */
export function applyPatch(type: PatchType, target: unknown, patchBody: unknown, schema: Schema | undefined): unknown {
  switch (type) {
    case jsonPatchType: {
      const out = applyJSONPatch(target, patchBody);
      // Only `replace ""` can get here; upstream then fails to decode the result into the kind.
      if (!isJSONObject(out)) throw invalidPatch('the patched document is not a JSON object');
      return out;
    }
    case mergePatchType:
      // Upstream's merge patch library refuses a body that is not an object ("Invalid JSON
      // Patch"); an API object can only be patched into another object.
      if (!isJSONObject(patchBody)) throw badPatch('Invalid JSON Patch');
      return applyJSONMergePatch(target, patchBody);
    case strategicMergePatchType:
      if (!schema) throw unsupportedPatchType(false);
      return applyStrategicMergePatch(target, patchBody, schema);
    default:
      throw unsupportedPatchType(schema !== undefined);
  }
}
