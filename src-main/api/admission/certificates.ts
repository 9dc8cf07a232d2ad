// Upstream's certificates admission plugins: CertificateApproval (approving or denying a CSR
// through its approval subresource needs `approve` on signers for its signer name), CertificateSigning
// (putting a certificate in its status needs `sign`), both as `<signerName>` or `<domain>/*`; and
// CertificateSubjectRestriction (no kube-apiserver-client certificate for system:masters, a group
// no RBAC binding could take away again).
import type { Authorizer } from '../../auth/authorizer.ts';
import type { UserInfo } from '../../auth/authenticator.ts';
import { parseCertificateRequest } from '../../auth/certificates/certificate-request.ts';
import { CSR_GROUP, requestPem } from '../resources/certificatesigningrequest.ts';
import { recordAt, stringAt } from '../resources/shared-meta.ts';
import type { KubeObject } from '../resources/types.ts';
import { refused, type AdmissionAttributes, type AdmissionPlugin } from './admission.ts';

const CSRS = 'certificatesigningrequests';
const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';

const signerOf = (obj: KubeObject | undefined) => stringAt(recordAt(obj, 'spec'), 'signerName') ?? '';
const isCSRWrite = (a: AdmissionAttributes, operation: string, subresource?: string) => a.group === CSR_GROUP && a.resource === CSRS && a.operation === operation && a.subresource === subresource;

/** upstream's IsAuthorizedForSignerName: the signer itself, or every signer of its domain. */
function authorizedForSigner(authorizer: Authorizer, user: UserInfo, verb: string, signerName: string): boolean {
  const names = [signerName, `${signerName.split('/')[0]}/*`];
  return names.some((name) => authorizer.authorize({ user, verb, group: CSR_GROUP, resource: 'signers', name, resourceRequest: true }).decision === 'allow');
}

function signerPermission(name: string, verb: 'approve' | 'sign', applies: (a: AdmissionAttributes) => boolean, authorizer: Authorizer): AdmissionPlugin {
  return {
    name,
    validate(a) {
      if (!applies(a)) return;
      const signerName = signerOf(a.old ?? a.obj);
      if (!authorizedForSigner(authorizer, a.user, verb, signerName)) throw refused(a, `user not permitted to ${verb} requests with signerName "${signerName}"`);
    },
  };
}

export function certificateApproval(authorizer: Authorizer): AdmissionPlugin {
  return signerPermission('CertificateApproval', 'approve', (a) => isCSRWrite(a, 'UPDATE', 'approval'), authorizer);
}

export function certificateSigning(authorizer: Authorizer): AdmissionPlugin {
  const certificate = (obj: KubeObject | undefined) => recordAt(obj, 'status')?.certificate;
  return signerPermission('CertificateSigning', 'sign', (a) => isCSRWrite(a, 'UPDATE', 'status') && certificate(a.obj) !== certificate(a.old), authorizer);
}

export const certificateSubjectRestriction: AdmissionPlugin = {
  name: 'CertificateSubjectRestriction',
  validate(a) {
    if (!isCSRWrite(a, 'CREATE') || signerOf(a.obj) !== KUBE_APISERVER_CLIENT_SIGNER) return;
    const pem = requestPem(recordAt(a.obj, 'spec')?.request);
    if (pem === undefined) return;
    if (parseCertificateRequest(pem).organizations.includes('system:masters')) {
      throw refused(a, `use of ${KUBE_APISERVER_CLIENT_SIGNER} signer with system:masters group is not allowed`);
    }
  },
};

/** The three, in upstream's order. */
export const certificateAdmission = (authorizer: Authorizer): AdmissionPlugin[] => [certificateApproval(authorizer), certificateSigning(authorizer), certificateSubjectRestriction];
