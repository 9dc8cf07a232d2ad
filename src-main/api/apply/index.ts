// Server-side apply and managedFields: what the API server calls on every write.
export { serverSideApply, BEFORE_FIRST_APPLY_MANAGER } from './apply.ts';
export type { ServerSideApplyArgs } from './apply.ts';
export { updateManagedFields } from './update.ts';
export type { UpdateManagedFieldsArgs } from './update.ts';
export { ApplyConflictError, ApplyBadRequestError, applyConflictStatus } from './conflicts.ts';
export type { ApplyConflict } from './conflicts.ts';
export { defaultManagerName, FIELD_MANAGER_MAX_LENGTH } from './user-agent.ts';
export { fieldSetOf } from './field-set-of.ts';
export { encodeFieldsV1, decodeFieldsV1 } from './fields-v1.ts';
export type { FieldsV1 } from './fields-v1.ts';
export { FieldSet, pathString } from './fieldpath.ts';
export type { Path, PathElement } from './fieldpath.ts';
export { decodeManagedFields } from './managed-fields.ts';
