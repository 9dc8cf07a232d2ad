// What an access review asks about, as the Attributes the authorizers decide on (upstream's
// authorizationutil.ResourceAttributesFrom / NonResourceAttributesFrom), and the checks of its
// spec (pkg/apis/authorization/validation).
import type { NonResourceAttributes, ResourceAttributes } from 'kubernetes-types/authorization/v1';
import type { UserInfo } from '../../auth/authenticator.ts';
import type { Attributes } from '../../auth/authorizer.ts';
import { FieldPath, invalid, type FieldError } from '../field-errors.ts';

export interface ReviewSpec {
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: NonResourceAttributes;
}

export function attributesOf(user: UserInfo, spec: ReviewSpec): Attributes {
  const r = spec.resourceAttributes;
  if (r) {
    return { user, verb: r.verb ?? '', group: r.group ?? '', version: r.version ?? '', resource: r.resource ?? '', subresource: r.subresource || undefined, namespace: r.namespace || undefined, name: r.name || undefined, resourceRequest: true };
  }
  const n = spec.nonResourceAttributes ?? {};
  return { user, verb: n.verb ?? '', path: n.path ?? '', resourceRequest: false };
}

/** Exactly one of resourceAttributes and nonResourceAttributes. */
export function validateAttributesSpec(spec: ReviewSpec, path: FieldPath): FieldError[] {
  if (spec.resourceAttributes && spec.nonResourceAttributes) return [invalid(path.child('nonResourceAttributes'), spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes')];
  // Upstream's field error prints the missing (nil) attributes as the string "null".
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) return [invalid(path.child('resourceAttributes'), 'null', 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
  return [];
}

export const specPath = FieldPath.root('spec');
