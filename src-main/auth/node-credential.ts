// POST /v1-kubelab/node-credential: a joining node trades its bootstrap token for a client
// certificate of its own, CN=system:node:<name>, O=system:nodes, as kubelet TLS bootstrapping
// does with a CSR (here the node sends only its public key: it needs no X.509 library). The
// request is checked whole before anything changes; then the token is used up, and only then is
// the certificate signed, so a token never yields two.
import { createPublicKey } from 'node:crypto';
import type { UserInfo } from './authenticator.ts';
import { issueCertificateForKey, type CertificateAuthority } from './ca.ts';
import { BOOTSTRAP_USER_PREFIX, BOOTSTRAPPERS_GROUP } from './bootstrap-token.ts';
import { NODE_CREDENTIAL_PATH, NODE_USER_PREFIX, NODES_GROUP, type NodeCredentialRequest, type NodeCredentialResponse } from './join-protocol.ts';
import { ApiError, badRequest, invalid, unauthorized } from '../api/status.ts';
import { errorBody, formatFieldError, invalid as invalidField, required, typeInvalid, type FieldError } from '../api/field-errors.ts';
import { isDNS1123Subdomain } from '../api/validation/names.ts';

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

export interface NodeCredentialIssuerOptions {
  ca: CertificateAuthority;
  /** Uses the token up (deletes its Secret); false when another request already did. */
  consumeToken(id: string): Promise<boolean>;
  /** Seconds the node's certificate is valid (the cluster signing duration; default a year). */
  durationSeconds?: number;
  log(line: string): void;
}

/** The body's shape and key; the node name's format is checked apart (422, not 400). */
function checkShape(body: unknown): FieldError[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [typeInvalid('<body>', typeof body, 'must be a JSON object with nodeName and publicKeyPem')];
  const b = body as Record<string, unknown>;
  const errs: FieldError[] = [];
  if (b.nodeName === undefined || b.nodeName === '') errs.push(required('nodeName'));
  else if (typeof b.nodeName !== 'string') errs.push(typeInvalid('nodeName', b.nodeName, 'must be a string'));
  if (b.publicKeyPem === undefined || b.publicKeyPem === '') errs.push(required('publicKeyPem'));
  else if (typeof b.publicKeyPem !== 'string') errs.push(typeInvalid('publicKeyPem', '<key>', 'must be a string'));
  else errs.push(...checkPublicKey(b.publicKeyPem));
  return errs;
}

function checkPublicKey(pem: string): FieldError[] {
  const detail = 'must be an ECDSA P-256 public key in PEM (SubjectPublicKeyInfo)';
  // Only a PUBLIC KEY block: node:crypto would also take the key out of a certificate or a
  // private key, which is not what a node sends.
  if (!/^\s*-----BEGIN PUBLIC KEY-----/.test(pem)) return [invalidField('publicKeyPem', '<key>', detail)];
  try {
    const key = createPublicKey(pem);
    if (key.type !== 'public' || key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return [invalidField('publicKeyPem', '<key>', detail)];
    return [];
  } catch {
    return [invalidField('publicKeyPem', '<key>', detail)];
  }
}

function asBadRequest(errs: FieldError[]): ApiError {
  const causes = errs.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field }));
  return badRequest(`the node credential request is invalid: ${errs.map(formatFieldError).join(', ')}`, causes);
}

export class NodeCredentialIssuer {
  constructor(private readonly opts: NodeCredentialIssuerOptions) {}

  async issue(user: UserInfo, body: unknown): Promise<NodeCredentialResponse> {
    if (!user.name.startsWith(BOOTSTRAP_USER_PREFIX) || !user.groups.includes(BOOTSTRAPPERS_GROUP)) {
      throw new ApiError(403, 'Forbidden', `forbidden: User "${user.name}" cannot post path "${NODE_CREDENTIAL_PATH}": only a bootstrap token can be exchanged for a node credential`);
    }
    const shape = checkShape(body);
    if (shape.length > 0) throw asBadRequest(shape);
    const { nodeName, publicKeyPem } = body as NodeCredentialRequest;
    const nameErrs = isDNS1123Subdomain(nodeName);
    if (nameErrs.length > 0) throw invalid('', 'NodeCredentialRequest', nodeName, nameErrs.map((m) => invalidField('nodeName', nodeName, m)));
    const id = user.name.slice(BOOTSTRAP_USER_PREFIX.length);
    // Used by a request that raced this one, or deleted since authentication: no credential.
    if (!(await this.opts.consumeToken(id))) throw unauthorized();
    const spki = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'pem' }).toString();
    const certificatePem = await issueCertificateForKey(this.opts.ca, { subject: `CN=${NODE_USER_PREFIX}${nodeName}, O=${NODES_GROUP}`, usages: [CLIENT_AUTH_OID], days: 365, durationSeconds: this.opts.durationSeconds }, spki);
    this.opts.log(`auth: bootstrap token ${id} exchanged for the credential of ${NODE_USER_PREFIX}${nodeName} (the token is deleted)`);
    return { certificatePem };
  }
}
