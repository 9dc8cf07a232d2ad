// Errors as Kubernetes Status objects (apimachinery/pkg/api/errors): every failure the API
// answers is one of these, with the reason and code kubectl and client libraries switch on.
import { errorBody, formatFieldError, type FieldError } from './field-errors.ts';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, string>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** A failed request: thrown anywhere below the router, answered as a Status. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toStatus(): Status {
    const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) s.details = this.details;
    return s;
  }
}

/** `deployments.apps`, as upstream names a group-resource in messages. */
export function qualifiedResource(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

export const badRequest = (message: string, causes?: StatusCause[]) => new ApiError(400, 'BadRequest', message, causes ? { causes } : undefined);
export const unauthorized = () => new ApiError(401, 'Unauthorized', 'Unauthorized');
export const methodNotSupported = (resource: string, method: string) =>
  new ApiError(405, 'MethodNotAllowed', `${method} is not supported on resources of kind "${resource}"`);
export const notAcceptable = (message: string) => new ApiError(406, 'NotAcceptable', message);
export const unsupportedMediaType = (type: string) =>
  new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/merge-patch+json, application/json-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml; got ${type}`);
export const tooLarge = (limit: number) => new ApiError(413, 'RequestEntityTooLarge', `the request body is larger than ${limit} bytes`);
export const internalError = (message: string) => new ApiError(500, 'InternalError', `Internal error occurred: ${message}`);
export const serviceUnavailable = (message: string) => new ApiError(503, 'ServiceUnavailable', message);
export const pageNotFound = () => new ApiError(404, 'NotFound', 'the server could not find the requested resource');

/**
 * 403 for a request the authorizers did not allow, worded as upstream's ForbiddenStatusError:
 * `pods "web" is forbidden: User "alice" cannot get resource "pods/log" in API group "" in the
 * namespace "default"`, and `forbidden: User "alice" cannot get path "/logs"` without a resource.
 */
export interface ForbiddenRequest {
  user: string;
  verb: string;
  group?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  path?: string;
}

export function forbidden(r: ForbiddenRequest, reason = ''): ApiError {
  let why = `User "${r.user}" cannot ${r.verb}`;
  if (r.resource !== undefined) {
    const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
    const where = r.namespace ? `in the namespace "${r.namespace}"` : 'at the cluster scope';
    why += ` resource "${resource}" in API group "${r.group ?? ''}" ${where}`;
  } else {
    why += ` path "${r.path ?? ''}"`;
  }
  if (reason) why += `: ${reason}`;
  const group = r.group ?? '';
  const qualified = r.resource !== undefined ? qualifiedResource(group, r.resource) : '';
  const subject = qualified ? (r.name ? `${qualified} "${r.name}"` : qualified) : '';
  const message = subject ? `${subject} is forbidden: ${why}` : `forbidden: ${why}`;
  return new ApiError(403, 'Forbidden', message, r.resource !== undefined ? { name: r.name, group, kind: r.resource } : {});
}

export function notFound(group: string, resource: string, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(group, resource)} "${name}" not found`, { name, group, kind: resource });
}

export function alreadyExists(group: string, resource: string, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedResource(group, resource)} "${name}" already exists`, { name, group, kind: resource });
}

export function conflict(group: string, resource: string, name: string, why: string): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(group, resource)} "${name}": ${why}`, { name, group, kind: resource });
}

export const modifiedConflict = (group: string, resource: string, name: string) =>
  conflict(group, resource, name, 'the object has been modified; please apply your changes to the latest version and try again');

export function gone(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

/** 422 Invalid with one cause per field error, worded like kube-apiserver. */
export function invalid(group: string, kind: string, name: string, errors: FieldError[]): ApiError {
  const list = errors.map(formatFieldError);
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  const causes = errors.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field }));
  return new ApiError(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${summary}`, { name, group, kind, causes });
}

export function successStatus(details?: StatusDetails): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200, ...(details ? { details } : {}) };
}
