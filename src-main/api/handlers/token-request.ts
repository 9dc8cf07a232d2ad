// POST serviceaccounts/NAME/token: an authentication.k8s.io/v1 TokenRequest, answered as
// upstream's TokenREST: a signed token for the service account, for the audiences asked (the
// API's by default), for expirationSeconds (at least 10 minutes), optionally bound to a Pod or a
// Secret of the namespace so that it dies with that object. `kubectl create token` and the
// agents (for the pods' projected tokens) ask here. Nothing is stored.
import type { Pod } from 'kubernetes-types/core/v1';
import { API_AUDIENCES, type TokenSubject } from '../../auth/service-account/claims.ts';
import { FieldPath, invalid as invalidField, required, type FieldError } from '../field-errors.ts';
import { getSharedObject } from '../object-store.ts';
import type { KubeObject } from '../resources/types.ts';
import { ApiError, badRequest, conflict, invalid, notFound } from '../status.ts';
import { decodeBody, isObject, mediaType, readBody, writeJSON } from './codec.ts';
import type { RequestScope } from './context.ts';
import { admit } from '../admission/admission.ts';

const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
const DEFAULT_EXPIRATION_SECONDS = 3600;

interface TokenRequestSpec {
  audiences: string[];
  expirationSeconds: number;
  boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string };
}

async function read(scope: RequestScope, resource: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
  const served = scope.api.registry.lookup('', 'v1', resource);
  return served ? (await getSharedObject(scope.api.store, served.definition, namespace, name))?.obj : undefined;
}

/** Upstream's ValidateTokenRequest, after defaulting. */
function validateSpec(spec: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  const at = FieldPath.root('spec');
  const exp = spec.expirationSeconds;
  if (typeof exp !== 'number' || !Number.isInteger(exp)) errs.push(invalidField(at.child('expirationSeconds'), exp, 'must be an integer'));
  else if (exp < MIN_EXPIRATION_SECONDS) errs.push(invalidField(at.child('expirationSeconds'), exp, 'may not specify a duration less than 10 minutes'));
  else if (exp > MAX_EXPIRATION_SECONDS) errs.push(invalidField(at.child('expirationSeconds'), exp, 'may not specify a duration larger than 2^32 seconds'));
  const auds = spec.audiences;
  if (!Array.isArray(auds)) errs.push(invalidField(at.child('audiences'), auds, 'must be a list of strings'));
  else auds.forEach((a, i) => typeof a !== 'string' && errs.push(invalidField(at.child('audiences').index(i), a, 'must be a string')));
  const ref = spec.boundObjectRef;
  if (ref !== undefined && !isObject(ref)) errs.push(invalidField(at.child('boundObjectRef'), ref, 'must be an object'));
  return errs;
}

function parseSpec(body: unknown, name: string): TokenRequestSpec {
  if (!isObject(body) || (body.kind !== undefined && body.kind !== 'TokenRequest')) throw badRequest('the body must be an authentication.k8s.io/v1 TokenRequest');
  const spec = isObject(body.spec) ? { ...body.spec } : {};
  spec.expirationSeconds ??= DEFAULT_EXPIRATION_SECONDS;
  // No audiences: the API's own, as upstream's TokenREST.
  if (spec.audiences === undefined || (Array.isArray(spec.audiences) && spec.audiences.length === 0)) spec.audiences = [...API_AUDIENCES];
  const errs = validateSpec(spec);
  if (errs.length) throw invalid('authentication.k8s.io', 'TokenRequest', name, errs);
  return spec as unknown as TokenRequestSpec;
}

/** What the token is bound to, checked as upstream: the object exists, in this namespace, with the uid given. */
async function boundSubject(scope: RequestScope, namespace: string, serviceAccount: KubeObject, ref: NonNullable<TokenRequestSpec['boundObjectRef']>): Promise<TokenSubject> {
  const sa = { name: serviceAccount.metadata.name!, uid: serviceAccount.metadata.uid! };
  const subject: TokenSubject = { namespace, serviceAccount: sa };
  const group = (ref.apiVersion ?? 'v1').includes('/') ? ref.apiVersion!.slice(0, ref.apiVersion!.lastIndexOf('/')) : '';
  const kind = group === '' ? ref.kind : undefined;
  if (kind !== 'Pod' && kind !== 'Secret') throw badRequest(`cannot bind token to object of type ${group}/${(ref.apiVersion ?? '').split('/').pop()}, Kind=${ref.kind ?? ''}`);
  const resource = kind === 'Pod' ? 'pods' : 'secrets';
  if (!ref.name) throw invalid('authentication.k8s.io', 'TokenRequest', sa.name, [required('spec.boundObjectRef.name')]);
  const obj = await read(scope, resource, namespace, ref.name);
  if (!obj) throw notFound('', resource, ref.name);
  const uid = obj.metadata.uid!;
  if (ref.uid && ref.uid !== uid) {
    throw conflict('', kind, ref.name, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  if (kind === 'Secret') return { ...subject, secret: { name: ref.name, uid } };
  const pod = obj as unknown as Pod;
  if ((pod.spec?.serviceAccountName ?? 'default') !== sa.name) throw badRequest(`cannot bind token for serviceaccount "${sa.name}" to pod running with different serviceaccount name.`);
  subject.pod = { name: ref.name, uid };
  const nodeName = pod.spec?.nodeName;
  if (nodeName) {
    const node = await read(scope, 'nodes', undefined, nodeName);
    subject.node = { name: nodeName, ...(node?.metadata.uid ? { uid: node.metadata.uid } : {}) };
  }
  return subject;
}

export async function handleTokenRequest(scope: RequestScope): Promise<void> {
  const issuer = scope.api.serviceAccountTokens;
  if (!issuer) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  const namespace = scope.info.namespace!;
  const name = scope.info.name!;
  const body = decodeBody(await readBody(scope.req), mediaType(scope.req));
  const spec = parseSpec(body, name);
  const meta = isObject(body) && isObject(body.metadata) ? body.metadata : {};
  if (typeof meta.namespace === 'string' && meta.namespace !== '' && meta.namespace !== namespace) {
    throw badRequest(`the namespace of the provided object does not match the namespace sent on the request`);
  }
  // Admitted as upstream's create handler does, before the TokenRequest is carried out.
  await admit(scope, 'CREATE', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { ...meta, namespace }, spec } as KubeObject);
  const serviceAccount = await read(scope, 'serviceaccounts', namespace, name);
  if (!serviceAccount) throw notFound('', 'serviceaccounts', name);
  const subject = spec.boundObjectRef
    ? await boundSubject(scope, namespace, serviceAccount, spec.boundObjectRef)
    : { namespace, serviceAccount: { name, uid: serviceAccount.metadata.uid! } };
  const issued = scope.dryRun ? undefined : issuer.issue(subject, spec.audiences, spec.expirationSeconds);
  writeJSON(scope.res, 201, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { ...meta, namespace, creationTimestamp: null },
    spec,
    status: { token: issued?.token ?? '', expirationTimestamp: issued ? issued.expirationTimestamp.toISOString().replace(/\.\d{3}Z$/, 'Z') : null },
  });
}
