// What the CSR approver and signer share: the CSR's decoded request, its conditions, and the
// shapes of kubelet client and serving requests (upstream's pkg/apis/certificates helpers
// ValidateKubeletClientCSR and ValidateKubeletServingCSR, with their error wording).
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1';
import { parseCertificateRequest, type CertificateRequestInfo } from '../../auth/certificates/certificate-request.ts';
import { NODE_USER_PREFIX, NODES_GROUP } from '../../auth/join-protocol.ts';

export const csrGVR = { group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests' } as const;

export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';
export const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';

/** The request's PEM decoded and parsed; throws CertificateRequestError. */
export function requestOf(csr: CertificateSigningRequest): CertificateRequestInfo {
  return parseCertificateRequest(Buffer.from(csr.spec.request, 'base64').toString('latin1'));
}

/** A condition's time (metav1.Time: RFC 3339, whole seconds). */
export const conditionTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function hasTrueCondition(csr: CertificateSigningRequest, type: string): boolean {
  return (csr.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** Decided already: approved or denied (or failed, which nothing undoes). */
export function isDecided(csr: CertificateSigningRequest): boolean {
  return hasTrueCondition(csr, 'Approved') || hasTrueCondition(csr, 'Denied');
}

function sameSet(usages: readonly string[], wanted: readonly string[]): boolean {
  const set = new Set(usages);
  return set.size === wanted.length && wanted.every((u) => set.has(u));
}

/** Either the full set or, for keys that cannot encipher (ECDSA), without key encipherment. */
function checkUsages(usages: readonly string[], purpose: 'client auth' | 'server auth'): string | undefined {
  const full = ['digital signature', 'key encipherment', purpose];
  if (sameSet(usages, full) || sameSet(usages, ['digital signature', purpose])) return undefined;
  return `usages did not match [${[...full].sort().join(' ')}]`;
}

const onlyNodes = (req: CertificateRequestInfo) => req.organizations.length === 1 && req.organizations[0] === NODES_GROUP;

/** Why the request is not a kubelet client certificate request, or undefined when it is. */
export function kubeletClientProblem(req: CertificateRequestInfo, usages: readonly string[]): string | undefined {
  if (!onlyNodes(req)) return 'subject organization is not system:nodes';
  if (req.dnsNames.length > 0) return 'DNS subjectAltNames are not allowed';
  if (req.emailAddresses.length > 0) return 'Email subjectAltNames are not allowed';
  if (req.ipAddresses.length > 0) return 'IP subjectAltNames are not allowed';
  if (req.uris.length > 0) return 'URI subjectAltNames are not allowed';
  if (!req.commonName.startsWith(NODE_USER_PREFIX)) return 'subject common name does not begin with system:node:';
  return checkUsages(usages, 'client auth');
}

/** Why the request is not a kubelet serving certificate request, or undefined when it is. */
export function kubeletServingProblem(req: CertificateRequestInfo, usages: readonly string[]): string | undefined {
  if (!onlyNodes(req)) return 'subject organization is not system:nodes';
  if (req.dnsNames.length === 0 && req.ipAddresses.length === 0) return 'DNS or IP subjectAltName is required';
  if (req.emailAddresses.length > 0) return 'Email subjectAltNames are not allowed';
  if (req.uris.length > 0) return 'URI subjectAltNames are not allowed';
  const usageProblem = checkUsages(usages, 'server auth');
  if (usageProblem) return usageProblem;
  if (!req.commonName.startsWith(NODE_USER_PREFIX)) return 'subject common name does not begin with system:node:';
  return undefined;
}

/** kube-apiserver-client: any subject, client usages only (upstream's isKubeAPIServerClient). */
export function kubeAPIServerClientProblem(usages: readonly string[]): string | undefined {
  const bad = usages.find((u) => u !== 'digital signature' && u !== 'key encipherment' && u !== 'client auth');
  return bad === undefined ? undefined : `invalid usage for client certificate: ${bad}`;
}
