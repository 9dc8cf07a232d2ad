// Gets a certificate signed through the certificates.k8s.io API, as the kubelet does: create a
// CertificateSigningRequest with the node's PKCS#10 request, then watch it until a signer puts
// the certificate in its status or an approver denies it (or a signer fails it).
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1';
import type { KubeClient } from '../../client/kube-client.ts';
import type { KubeObject, WatchEvent } from '../../client/types.ts';

export const CSR_GVR = { group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests' } as const;

export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';

export interface SigningRequest {
  /** The PKCS#10 request's PEM. */
  requestPem: string;
  signerName: string;
  usages: string[];
  /** What the agent would like; the signer may give less (its --cluster-signing-duration). */
  expirationSeconds?: number;
}

/** Denied, failed, or no answer in time: the message says which, and names the CSR. */
export class CertificateRequestError extends Error {}

/** How long to wait for an approval and a signature (the kubelet waits 15 minutes). */
const WAIT_MS = 15 * 60_000;

type CSR = CertificateSigningRequest & KubeObject;

/** The signed certificate's PEM, or the reason there is none yet (undefined: still pending). */
function outcome(csr: CSR): { certificatePem: string } | { refused: string } | undefined {
  const refusal = csr.status?.conditions?.find((c) => (c.type === 'Denied' || c.type === 'Failed') && c.status !== 'False');
  if (refusal) return { refused: `the certificate signing request ${csr.metadata?.name} was ${refusal.type === 'Denied' ? 'denied' : 'not signed'}${refusal.message ? `: ${refusal.message}` : refusal.reason ? ` (${refusal.reason})` : ''}` };
  const cert = csr.status?.certificate;
  return cert ? { certificatePem: Buffer.from(cert, 'base64').toString('utf8') } : undefined;
}

export async function requestCertificate(client: KubeClient, req: SigningRequest, signal?: AbortSignal): Promise<string> {
  const created = await client.create<CSR>(CSR_GVR, {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { generateName: 'csr-' },
    spec: {
      request: Buffer.from(req.requestPem, 'utf8').toString('base64'),
      signerName: req.signerName,
      usages: req.usages,
      ...(req.expirationSeconds !== undefined ? { expirationSeconds: req.expirationSeconds } : {}),
    },
  });
  const name = created.metadata!.name!;
  const deadline = Date.now() + WAIT_MS;
  let latest: CSR = created;
  // A watch can end (a server restart, its timeout): read again and watch on, until the deadline.
  while (!signal?.aborted) {
    const done = outcome(latest);
    if (done && 'certificatePem' in done) return done.certificatePem;
    if (done) throw new CertificateRequestError(done.refused);
    if (Date.now() > deadline) throw new CertificateRequestError(`the certificate signing request ${name} was neither approved nor denied in ${WAIT_MS / 60_000} minutes (approve it with: kubectl certificate approve ${name})`);
    latest = await watchUntilChanged(client, latest, deadline, signal).catch(() => client.get<CSR>(CSR_GVR, undefined, name));
  }
  throw new CertificateRequestError(`stopped waiting for the certificate signing request ${name}`);
}

/** The CSR's next version from a watch; rejects when the watch ends without one. */
function watchUntilChanged(client: KubeClient, csr: CSR, deadline: number, signal?: AbortSignal): Promise<CSR> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => handle.stop(), Math.max(0, deadline - Date.now()));
    const abort = (): void => handle.stop();
    signal?.addEventListener('abort', abort, { once: true });
    const handle = client.watch<CSR>(
      CSR_GVR,
      { fieldSelector: `metadata.name=${csr.metadata!.name}`, resourceVersion: csr.metadata!.resourceVersion, timeoutSeconds: 300 },
      (e: WatchEvent<CSR>) => {
        // DELETED: the get that follows the rejection says it is gone.
        if (e.type === 'ADDED' || e.type === 'MODIFIED') resolve(e.object);
        if (e.type !== 'BOOKMARK') handle.stop();
      },
      (err) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        reject(err ?? new Error('the watch ended'));
      },
    );
  });
}
