// certificates.k8s.io/v1 CertificateSigningRequest: a PKCS#10 request someone asks a signer to
// sign (pkg/apis/certificates/validation, pkg/registry/certificates/certificates/strategy.go).
// The requestor is recorded from the authenticated user on create; the spec never changes after.
// The approval subresource changes only the conditions, the status subresource the rest of the
// status (who may do either is admission's: api/admission/certificates.ts).
import { X509Certificate } from 'node:crypto';
import { duplicate, FieldPath, forbidden as forbiddenField, invalid, notSupported, required, type FieldError } from '../field-errors.ts';
import { nameIsPathSegment, validateObjectMeta } from '../validation/object-meta.ts';
import { isQualifiedName } from '../validation/names.ts';
import { humanDuration } from '../printing/age.ts';
import { decodedBase64Length } from './shared-base64.ts';
import { ageColumn, ageOf, arrayAt, immutableField, isRecord, nameColumn, nameOf, recordAt, stringAt } from './shared-meta.ts';
import type { KubeObject, ResourceDefinition } from './types.ts';
import { CertificateRequestError, parseCertificateRequest } from '../../auth/certificates/certificate-request.ts';

export const CSR_GROUP = 'certificates.k8s.io';

/** Every key usage a request may ask for (upstream's allValidUsages). */
export const KEY_USAGES: readonly string[] = [
  'signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment', 'cert sign',
  'crl sign', 'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing', 'email protection', 's/mime',
  'ipsec end system', 'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing', 'microsoft sgc', 'netscape sgc',
];

const conditionStatuses = ['True', 'False', 'Unknown'];
/** Conditions a write through status may not add or remove; the approval subresource's. */
const approvalConditions = ['Approved', 'Denied'];
const MIN_EXPIRATION_SECONDS = 600;

interface Condition {
  type?: string;
  status?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  [k: string]: unknown;
}

const conditionsOf = (obj: KubeObject): Condition[] => arrayAt(recordAt(obj, 'status'), 'conditions').filter(isRecord) as Condition[];
const hasCondition = (obj: KubeObject, type: string): boolean => conditionsOf(obj).some((c) => c.type === type);

/** The request's PEM: spec.request is []byte, base64 in JSON. */
export function requestPem(request: unknown): string | undefined {
  return typeof request === 'string' && decodedBase64Length(request) !== undefined ? Buffer.from(request, 'base64').toString('latin1') : undefined;
}

function validateRequest(request: unknown, path: FieldPath): FieldError[] {
  if (request === undefined || request === null || request === '') return [invalid(path, [], 'PEM block type must be CERTIFICATE REQUEST')];
  const pem = requestPem(request);
  if (pem === undefined) return [invalid(path, request, 'must be base64-encoded PEM')];
  try {
    parseCertificateRequest(pem);
    return [];
  } catch (e) {
    if (e instanceof CertificateRequestError) return [invalid(path, request, e.message)];
    throw e;
  }
}

/** Upstream's ValidateSignerName: `domain/path`, a qualified name. */
function validateSignerName(name: unknown, path: FieldPath): FieldError[] {
  if (name === undefined || name === null || name === '') return [required(path)];
  if (typeof name !== 'string') return [invalid(path, name, 'must be a string')];
  if (name.split('/').length !== 2) return [invalid(path, name, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  return isQualifiedName(name).map((m) => invalid(path, name, m));
}

function validateUsages(usages: unknown, path: FieldPath): FieldError[] {
  if (!Array.isArray(usages) || usages.length === 0) return [required(path)];
  const errs: FieldError[] = [];
  const seen = new Set<unknown>();
  usages.forEach((u, i) => {
    if (typeof u !== 'string' || !KEY_USAGES.includes(u)) errs.push(notSupported(path.index(i), u, KEY_USAGES));
    if (seen.has(u)) errs.push(duplicate(path.index(i), u));
    seen.add(u);
  });
  return errs;
}

/** Upstream's validateConditions: known statuses, no duplicates, Approved and Denied True and exclusive. */
function validateConditions(obj: KubeObject): FieldError[] {
  const path = FieldPath.root('status').child('conditions');
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  conditionsOf(obj).forEach((c, i) => {
    const at = path.index(i);
    if (!c.type) errs.push(required(at.child('type')));
    if (!c.status) errs.push(required(at.child('status')));
    else if (!conditionStatuses.includes(c.status)) errs.push(notSupported(at.child('status'), c.status, conditionStatuses));
    if ((c.type === 'Approved' || c.type === 'Denied') && c.status !== 'True') errs.push(invalid(at.child('status'), c.status, `${c.type} condition may only be set to 'True'`));
    if (c.type && seen.has(c.type)) errs.push(duplicate(at.child('type'), c.type));
    if (c.type) seen.add(c.type);
  });
  if (seen.has('Approved') && seen.has('Denied')) errs.push(invalid(path, '', 'Approved and Denied conditions are mutually exclusive'));
  return errs;
}

/** status.certificate: PEM CERTIFICATE blocks only, each a certificate (upstream's validateCertificate). */
function validateCertificate(obj: KubeObject): FieldError[] {
  const cert = recordAt(obj, 'status')?.certificate;
  if (cert === undefined || cert === null || cert === '') return [];
  const path = FieldPath.root('status').child('certificate');
  const pem = requestPem(cert);
  if (pem === undefined) return [invalid(path, '<certificate data>', 'must be base64-encoded PEM')];
  const blocks = [...pem.matchAll(/-----BEGIN ([^-\r\n]+)-----[\s\S]*?-----END \1-----/g)];
  if (blocks.length === 0) return [invalid(path, '<certificate data>', 'must contain at least one CERTIFICATE PEM block')];
  for (const b of blocks) {
    if (b[1] !== 'CERTIFICATE') return [invalid(path, '<certificate data>', `only CERTIFICATE PEM blocks are allowed, found "${b[1]}"`)];
    try {
      new X509Certificate(b[0]);
    } catch (e) {
      return [invalid(path, '<certificate data>', (e as Error).message)];
    }
  }
  return [];
}

function validate(obj: KubeObject): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, false, nameIsPathSegment);
  const spec = recordAt(obj, 'spec') ?? {};
  const path = FieldPath.root('spec');
  errs.push(...validateRequest(spec.request, path.child('request')));
  errs.push(...validateUsages(spec.usages, path.child('usages')));
  errs.push(...validateSignerName(spec.signerName, path.child('signerName')));
  const exp = spec.expirationSeconds;
  if (exp !== undefined && exp !== null && (typeof exp !== 'number' || !Number.isInteger(exp) || exp < MIN_EXPIRATION_SECONDS)) {
    errs.push(invalid(path.child('expirationSeconds'), exp, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  errs.push(...validateConditions(obj), ...validateCertificate(obj));
  return errs;
}

/** Writes through status and approval: a certificate once issued stays; these conditions stay once set. */
function validateSubresourceUpdate(obj: KubeObject, old: KubeObject, subresource: string): FieldError[] {
  const errs = validate(obj);
  const oldCert = recordAt(old, 'status')?.certificate;
  if (oldCert && recordAt(obj, 'status')?.certificate !== oldCert) errs.push(invalid(FieldPath.root('status').child('certificate'), '<certificate data>', 'updates may not modify existing certificate content'));
  const kept = subresource === 'approval' ? [...approvalConditions, 'Failed'] : ['Failed'];
  for (const type of kept) {
    if (hasCondition(old, type) && !hasCondition(obj, type)) errs.push(forbiddenField(FieldPath.root('status').child('conditions'), `updates may not remove a condition of type "${type}"`));
  }
  return errs;
}

/** New or changed conditions get the write's time (upstream's populateConditionTimestamps). */
function populateConditionTimestamps(obj: KubeObject, old: KubeObject | undefined, now: string): void {
  const before = new Map((old ? conditionsOf(old) : []).map((c) => [c.type, c]));
  for (const c of conditionsOf(obj)) {
    const prev = before.get(c.type);
    c.lastUpdateTime ||= now;
    if (!c.lastTransitionTime) c.lastTransitionTime = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now;
  }
}

/** Approved/Denied as they were: only the approval subresource changes them (preserveConditionInstances). */
function keepApprovalConditions(obj: KubeObject, old: KubeObject): void {
  const status = (obj.status ??= {}) as Record<string, unknown>;
  const others = conditionsOf(obj).filter((c) => !approvalConditions.includes(c.type ?? ''));
  const kept = conditionsOf(old).filter((c) => approvalConditions.includes(c.type ?? ''));
  status.conditions = [...kept, ...others];
  if ((status.conditions as unknown[]).length === 0) delete status.conditions;
}

/** The CONDITION column: Approved/Denied/Pending, then Failed and Issued (upstream's extractCSRStatus). */
function conditionCell(obj: KubeObject): string {
  let out = hasCondition(obj, 'Denied') ? 'Denied' : hasCondition(obj, 'Approved') ? 'Approved' : 'Pending';
  if (hasCondition(obj, 'Failed')) out += ',Failed';
  if (recordAt(obj, 'status')?.certificate) out += ',Issued';
  return out;
}

export const certificateSigningRequest: ResourceDefinition = {
  group: CSR_GROUP,
  kind: 'CertificateSigningRequest',
  resource: 'certificatesigningrequests',
  singular: 'certificatesigningrequest',
  shortNames: ['csr'],
  namespaced: false,
  versions: [{ version: 'v1' }],
  subresources: { status: true, approval: true },
  selectableFields: { 'spec.signerName': (obj) => stringAt(recordAt(obj, 'spec'), 'signerName') },
  nameValidation: 'path-segment',

  defaults(obj) {
    const spec = recordAt(obj, 'spec');
    if (spec && (!Array.isArray(spec.usages) || spec.usages.length === 0)) spec.usages = ['digital signature', 'key encipherment'];
  },

  validate,
  validateUpdate: (obj, old) => immutableField(obj.spec, old.spec, 'spec'),
  validateSubresourceUpdate,

  prepareForCreate(obj, ctx) {
    const spec = (recordAt(obj, 'spec') ?? (obj.spec = {})) as Record<string, unknown>;
    // Who asked is the server's to say, whatever the body claims.
    delete spec.username;
    delete spec.uid;
    delete spec.groups;
    delete spec.extra;
    if (ctx.user) {
      spec.username = ctx.user.name;
      if (ctx.user.uid) spec.uid = ctx.user.uid;
      if (ctx.user.groups.length > 0) spec.groups = [...ctx.user.groups];
    }
  },

  prepareForUpdate(obj, old, ctx) {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (ctx.subresource === 'approval') {
      // Only the conditions change: the certificate and everything else stay as they were.
      const conditions = recordAt(obj, 'status')?.conditions;
      obj.status = { ...(recordAt(old, 'status') ?? {}), ...(conditions !== undefined && { conditions }) };
      populateConditionTimestamps(obj, old, now);
    } else if (ctx.subresource === 'status') {
      keepApprovalConditions(obj, old);
      populateConditionTimestamps(obj, old, now);
    }
  },

  table: {
    columns: [
      nameColumn,
      ageColumn,
      { name: 'SignerName', type: 'string', description: 'Who is asked to sign the request.', priority: 0 },
      { name: 'Requestor', type: 'string', description: 'The user who made the request.', priority: 0 },
      { name: 'RequestedDuration', type: 'string', description: 'How long the certificate is asked to be valid.', priority: 0 },
      { name: 'Condition', type: 'string', description: 'Approved, Denied or Pending; Failed and Issued when so.', priority: 0 },
    ],
    cells(obj, now) {
      const spec = recordAt(obj, 'spec');
      const exp = spec?.expirationSeconds;
      return [nameOf(obj), ageOf(obj, now), stringAt(spec, 'signerName') ?? '', stringAt(spec, 'username') ?? '', typeof exp === 'number' ? humanDuration(exp * 1000) : '<none>', conditionCell(obj)];
    },
  },
};
