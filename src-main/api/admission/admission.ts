// Admission: the checks a write passes once it is valid and before it is stored (or, for a
// delete, before anything changes), as upstream's admission chain. Plugins run in order; the
// first that refuses answers the request, and nothing is stored.
import type { UserInfo } from '../../auth/authenticator.ts';
import type { RequestScope } from '../handlers/context.ts';
import type { KubeObject } from '../resources/types.ts';
import { ApiError, qualifiedResource } from '../status.ts';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

/** What a plugin decides on (upstream's admission.Attributes). */
export interface AdmissionAttributes {
  operation: Operation;
  user: UserInfo;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  /** The object's name: the URL's, or on create the body's. */
  name: string;
  /** The object to be written (CREATE, UPDATE), in the storage version. Not to be changed. */
  obj?: KubeObject;
  /** The stored object an UPDATE or DELETE changes. Not to be changed. */
  old?: KubeObject;
}

export interface AdmissionPlugin {
  readonly name: string;
  /** Throws the ApiError that refuses the request. */
  validate(a: AdmissionAttributes): void | Promise<void>;
}

export type Admit = (a: AdmissionAttributes) => Promise<void>;

/** The plugins, run in order. */
export function admissionChain(plugins: AdmissionPlugin[]): Admit {
  return async (a) => {
    for (const p of plugins) await p.validate(a);
  };
}

/** The attributes of the request in scope; a create names the object its body makes (a subresource, its parent). */
export function attributesOf(scope: RequestScope, operation: Operation, obj?: KubeObject, old?: KubeObject): AdmissionAttributes {
  const { info, served, user } = scope;
  const created = operation === 'CREATE' && !info.subresource ? obj?.metadata?.name : undefined;
  const name = created ?? info.name ?? '';
  return { operation, user, group: served.definition.group, resource: served.definition.resource, subresource: info.subresource, namespace: info.namespace, name, obj, old };
}

/** Runs the server's admission, when it has one, on the request in scope. */
export async function admit(scope: RequestScope, operation: Operation, obj?: KubeObject, old?: KubeObject): Promise<void> {
  await scope.api.admit?.(attributesOf(scope, operation, obj, old));
}

/** 403 with upstream's wording (admission.NewForbidden): `pods "x" is forbidden: <why>`. */
export function refused(a: AdmissionAttributes, why: string): ApiError {
  const subject = a.name ? `${qualifiedResource(a.group, a.resource)} "${a.name}"` : qualifiedResource(a.group, a.resource);
  return new ApiError(403, 'Forbidden', `${subject} is forbidden: ${why}`, { name: a.name || undefined, group: a.group, kind: a.resource });
}
