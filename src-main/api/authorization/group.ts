// authorization.k8s.io/v1: the access reviews, which ask the authorizers a question and answer
// it, storing nothing (upstream's pkg/registry/authorization). SelfSubjectAccessReview is
// `kubectl auth can-i` (may I?), SubjectAccessReview and LocalSubjectAccessReview ask for
// someone else (a webhook, an admin checking a teammate), SelfSubjectRulesReview is `kubectl auth
// can-i --list` (what may I do in this namespace?). Each is create-only; who may ask is itself
// authorised as usual (system:basic-user lets everyone ask about themselves).
import type { NonResourceRule, ResourceRule, SubjectAccessReviewSpec, SubjectAccessReviewStatus } from 'kubernetes-types/authorization/v1';
import type { APIGroupExtension, APIGroupRequest } from '../api-group-extension.ts';
import type { UserInfo } from '../../auth/authenticator.ts';
import type { RuleResolverAuthorizer } from '../../auth/authorizer.ts';
import { aggregateMessage } from '../../auth/rbac/rule-resolver.ts';
import { invalid as invalidField, type FieldError } from '../field-errors.ts';
import { decodeBody, isObject, mediaType, readBody, writeJSON } from '../handlers/codec.ts';
import { ApiError, badRequest, invalid, pageNotFound } from '../status.ts';
import { attributesOf, specPath, validateAttributesSpec, type ReviewSpec } from './review-attributes.ts';

export const authorizationGroup = 'authorization.k8s.io';
const version = 'v1';

interface Review {
  kind: string;
  namespaced: boolean;
  answer(user: UserInfo, body: Record<string, unknown>, namespace: string | undefined): Record<string, unknown>;
}

const methodNotAllowed = () => new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});

export function authorizationAPIGroup(authorizer: Required<RuleResolverAuthorizer>): APIGroupExtension {
  /** Asks the authorizers; status as upstream: denied only on an explicit deny. */
  function decide(user: UserInfo, spec: ReviewSpec): SubjectAccessReviewStatus {
    const d = authorizer.authorize(attributesOf(user, spec));
    return { allowed: d.decision === 'allow', ...(d.decision === 'deny' ? { denied: true } : {}), ...(d.reason ? { reason: d.reason } : {}) };
  }

  function reject(kind: string, errors: FieldError[]): void {
    if (errors.length) throw invalid(authorizationGroup, kind, '', errors);
  }

  /** The user a SubjectAccessReview names; at least a user or a group. */
  function subjectOf(kind: string, spec: SubjectAccessReviewSpec): UserInfo {
    if (!spec.user && !(spec.groups ?? []).length) reject(kind, [invalidField(specPath.child('user'), spec.user ?? '', 'at least one of user or group must be specified')]);
    return { name: spec.user ?? '', uid: spec.uid, groups: spec.groups ?? [] };
  }

  const reviews: Record<string, Review> = {
    selfsubjectaccessreviews: {
      kind: 'SelfSubjectAccessReview',
      namespaced: false,
      answer(user, body) {
        const spec = (body.spec ?? {}) as ReviewSpec;
        reject(this.kind, validateAttributesSpec(spec, specPath));
        return { ...body, status: decide(user, spec) };
      },
    },
    subjectaccessreviews: {
      kind: 'SubjectAccessReview',
      namespaced: false,
      answer(_user, body) {
        const spec = (body.spec ?? {}) as SubjectAccessReviewSpec;
        reject(this.kind, validateAttributesSpec(spec, specPath));
        return { ...body, status: decide(subjectOf(this.kind, spec), spec) };
      },
    },
    localsubjectaccessreviews: {
      kind: 'LocalSubjectAccessReview',
      namespaced: true,
      answer(_user, body, namespace) {
        const spec = (body.spec ?? {}) as SubjectAccessReviewSpec;
        const meta = (isObject(body.metadata) ? body.metadata : {}) as { namespace?: string };
        if (meta.namespace && meta.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
        if (spec.nonResourceAttributes) reject(this.kind, [invalidField(specPath.child('nonResourceAttributes'), spec.nonResourceAttributes, 'disallowed on this kind of request')]);
        reject(this.kind, validateAttributesSpec(spec, specPath));
        if (spec.resourceAttributes?.namespace !== namespace) throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace}`);
        return { ...body, metadata: { ...meta, namespace }, status: decide(subjectOf(this.kind, spec), spec) };
      },
    },
    selfsubjectrulesreviews: {
      kind: 'SelfSubjectRulesReview',
      namespaced: false,
      answer(user, body) {
        const namespace = (isObject(body.spec) ? body.spec.namespace : undefined) as string | undefined;
        if (!namespace) throw badRequest('no namespace on request');
        const rules = authorizer.rulesFor(user, namespace);
        const resourceRules: ResourceRule[] = rules.resourceRules.map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources, resourceNames: r.resourceNames }));
        const nonResourceRules: NonResourceRule[] = rules.nonResourceRules.map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
        const evaluationError = rules.errors.length ? { evaluationError: aggregateMessage(rules.errors) } : {};
        return { ...body, status: { resourceRules, nonResourceRules, incomplete: rules.incomplete, ...evaluationError } };
      },
    },
  };

  async function create(r: APIGroupRequest, review: Review): Promise<void> {
    const body = decodeBody(await readBody(r.req, 64 * 1024), mediaType(r.req));
    if (!isObject(body)) throw badRequest(`the body of a ${review.kind} must be an object`);
    const answer = review.answer(r.user, body, r.info.namespace);
    writeJSON(r.res, 201, { ...answer, apiVersion: `${authorizationGroup}/${version}`, kind: review.kind, metadata: { ...(isObject(answer.metadata) ? answer.metadata : {}), creationTimestamp: null } });
  }

  return {
    name: authorizationGroup,
    versions: [version],
    resourceList: () => ({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: `${authorizationGroup}/${version}`,
      resources: Object.entries(reviews).map(([name, r]) => ({ name, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: ['create'] })),
    }),
    async handle(r) {
      const review = r.info.version === version ? reviews[r.info.resource] : undefined;
      if (!review || r.info.subresource !== undefined || review.namespaced !== (r.info.namespace !== undefined)) throw pageNotFound();
      if (r.info.verb !== 'create' || r.info.name !== undefined) throw methodNotAllowed();
      return create(r, review);
    },
  };
}
