// PATCH: JSON patch, JSON merge patch and strategic merge patch applied to the current object in
// the request's version, then the ordinary update path; and server-side apply
// (application/apply-patch+yaml), which creates the object when the name does not exist yet.
import type { KubeObject } from '../resources/types.ts';
import { schemaFor } from '../openapi/spec.ts';
import { applyPatch, PatchError, type PatchType } from '../patch/index.ts';
import { ApiError, badRequest, unsupportedMediaType } from '../status.ts';
import { decodeBody, isObject, readBody, mediaType, writeJSON } from './codec.ts';
import { writtenJSON, type RequestScope } from './context.ts';
import { checkBody } from './body.ts';
import { checkKnownFields } from './field-validation.ts';
import { createObject, warningHeaders } from './create.ts';
import { updateObject } from './update.ts';
import { applyConfiguration, managerOf } from './managed-fields.ts';

const patchTypes: readonly string[] = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
const applyType = 'application/apply-patch+yaml';

/** Applies a (non-apply) patch body to target; errors become the Status upstream answers. */
export function applyPatchBody(scope: RequestScope, type: string, body: Buffer, target: KubeObject, group: string, version: string, kind: string): KubeObject {
  if (!patchTypes.includes(type)) throw unsupportedMediaType(type);
  let patch: unknown;
  try {
    patch = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw badRequest(`error decoding patch: ${(e as Error).message}`);
  }
  try {
    const result = applyPatch(type as PatchType, target, patch, schemaFor(group, version, kind));
    if (!isObject(result)) throw badRequest('the patch result is not an object');
    return result as KubeObject;
  } catch (e) {
    if (e instanceof PatchError) {
      const st = e.toStatus();
      // Upstream answers the errors its patch library leaves unclassified with a 500; they are
      // all faults of the patch, so they are a 400 here.
      if (st.code >= 500) throw badRequest(st.message);
      throw new ApiError(st.code, st.reason ?? '', st.message, st.details);
    }
    throw e;
  }
}

export async function handlePatch(scope: RequestScope): Promise<void> {
  const type = mediaType(scope.req);
  const body = await readBody(scope.req);
  if (type === applyType) return handleApply(scope, body);
  const { served } = scope;
  if (!patchTypes.includes(type)) throw unsupportedMediaType(type);
  if (scope.info.subresource === 'status' && !served.definition.subresources?.status) throw badRequest('the resource has no status subresource');
  const result = await updateObject(scope, (current) => {
    const next = applyPatchBody(scope, type, body, current, served.group, served.version, served.definition.kind);
    checkKnownFields(scope, next);
    return next;
  });
  writeJSON(scope.res, 200, writtenJSON(served, result), warningHeaders(scope));
}

async function handleApply(scope: RequestScope, body: Buffer): Promise<void> {
  if (!scope.query.get('fieldManager')) throw badRequest('PATCH, application/apply-patch+yaml requests must have a fieldManager; use --field-manager');
  const force = scope.query.get('force') === 'true';
  const applied = checkBody(scope, decodeBody(body, applyType));
  const manager = managerOf(scope);
  const result = await updateObject(scope, (current) => applyConfiguration(scope, current, applied, manager, force), {
    onMissing: () => createObject(scope, applyConfiguration(scope, undefined, applied, manager, force), (obj) => obj),
    track: (_old, next) => next,
  });
  writeJSON(scope.res, result.created ? 201 : 200, writtenJSON(scope.served, result), warningHeaders(scope));
}
