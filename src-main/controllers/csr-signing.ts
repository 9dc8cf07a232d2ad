// Upstream's csrsigning controller: signs approved requests for the kubelet client, kubelet
// serving and kube-apiserver client signers with the cluster CA, read from the files
// --cluster-signing-cert-file and --cluster-signing-key-file name (re-read on each signing, so a
// renewed CA is used at once). A request that breaks its signer's rules gets a Failed condition
// (SignerValidationFailure) instead. The certificate's subject, names and key are the request's;
// it lasts spec.expirationSeconds, at most the cluster signing duration.
import { readFileSync } from 'node:fs';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1';
import * as x509 from '@peculiar/x509';
import { issueCertificateForKey, type CertificateAuthority } from '../auth/ca.ts';
import { CertificateRequestError, type CertificateRequestInfo } from '../auth/certificates/certificate-request.ts';
import type { ControllerContext } from './context.ts';
import { QueueController, type ReconcileResult } from './queue-controller.ts';
import {
  conditionTime, csrGVR, hasTrueCondition, KUBE_APISERVER_CLIENT_SIGNER, kubeAPIServerClientProblem, KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER,
  kubeletClientProblem, kubeletServingProblem, requestOf,
} from './certificates/csr-helpers.ts';

/** Why a request breaks its signer's rules (undefined: it does not); only the signers served here. */
const signerRules: Record<string, (req: CertificateRequestInfo, usages: readonly string[]) => string | undefined> = {
  [KUBELET_CLIENT_SIGNER]: kubeletClientProblem,
  [KUBELET_SERVING_SIGNER]: kubeletServingProblem,
  [KUBE_APISERVER_CLIENT_SIGNER]: (_req, usages) => kubeAPIServerClientProblem(usages),
};

const F = x509.KeyUsageFlags;
const keyUsageFlags: Record<string, number> = {
  signing: F.digitalSignature, 'digital signature': F.digitalSignature, 'content commitment': F.nonRepudiation, 'key encipherment': F.keyEncipherment,
  'key agreement': F.keyAgreement, 'data encipherment': F.dataEncipherment, 'cert sign': F.keyCertSign, 'crl sign': F.cRLSign,
  'encipher only': F.encipherOnly, 'decipher only': F.decipherOnly,
};
const extendedUsageOIDs: Record<string, string> = {
  any: '2.5.29.37.0', 'server auth': '1.3.6.1.5.5.7.3.1', 'client auth': '1.3.6.1.5.5.7.3.2', 'code signing': '1.3.6.1.5.5.7.3.3',
  'email protection': '1.3.6.1.5.5.7.3.4', 's/mime': '1.3.6.1.5.5.7.3.4', 'ipsec end system': '1.3.6.1.5.5.7.3.5', 'ipsec tunnel': '1.3.6.1.5.5.7.3.6',
  'ipsec user': '1.3.6.1.5.5.7.3.7', timestamping: '1.3.6.1.5.5.7.3.8', 'ocsp signing': '1.3.6.1.5.5.7.3.9', 'microsoft sgc': '1.3.6.1.4.1.311.10.3.3',
  'netscape sgc': '2.16.840.1.113730.4.1',
};

/** Upstream backdates 5 minutes for clock skew; a short certificate only a tenth of its life. */
const BACKDATE_SECONDS = 300;

export class CSRSigningController extends QueueController {
  private readonly csrs;
  private warnedNoCA = false;

  constructor(ctx: ControllerContext) {
    super('csr-signing', ctx, 1);
    this.csrs = ctx.informers.informer<CertificateSigningRequest>(csrGVR);
    this.csrs.on('add', this.enqueue).on('update', (_o, n) => this.enqueue(n));
  }

  async reconcile(name: string): Promise<ReconcileResult> {
    const csr = this.csrs.get(name);
    if (!csr || csr.status?.certificate || !hasTrueCondition(csr, 'Approved') || hasTrueCondition(csr, 'Failed')) return;
    const rules = signerRules[csr.spec.signerName];
    if (!rules) return; // Another signer's request.
    const ca = this.loadCA();
    if (!ca) return;
    let req: CertificateRequestInfo;
    try {
      req = requestOf(csr);
    } catch (e) {
      if (e instanceof CertificateRequestError) return this.fail(csr, `unable to parse csr "${csr.metadata!.name}": ${e.message}`);
      throw e;
    }
    const usages = csr.spec.usages ?? [];
    const problem = rules(req, usages);
    if (problem) return this.fail(csr, problem);
    const certificatePem = await issueCertificateForKey(ca, this.certificateFields(csr, req, usages), req.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    await this.writeStatus(csr, { ...csr.status, certificate: Buffer.from(certificatePem).toString('base64') });
    this.ctx.log(`csr-signing: signed ${csr.metadata!.name} for ${req.subject} (${csr.spec.signerName})`);
  }

  private certificateFields(csr: CertificateSigningRequest, req: CertificateRequestInfo, usages: readonly string[]) {
    const max = this.ctx.config.clusterSigningDurationSeconds;
    const durationSeconds = Math.min(csr.spec.expirationSeconds ?? max, max);
    return {
      subject: req.subject,
      sans: { dns: req.dnsNames, ips: req.ipAddresses, emails: req.emailAddresses, uris: req.uris },
      keyUsages: usages.reduce((flags, u) => flags | (keyUsageFlags[u] ?? 0), 0),
      usages: [...new Set(usages.map((u) => extendedUsageOIDs[u]).filter((oid): oid is string => oid !== undefined))],
      days: 0,
      durationSeconds,
      backdateSeconds: Math.min(BACKDATE_SECONDS, Math.floor(durationSeconds / 10)),
    };
  }

  /** The CA from its files, or undefined (said once) when this controller manager has none. */
  private loadCA(): CertificateAuthority | undefined {
    const { clusterSigningCertFile: certFile, clusterSigningKeyFile: keyFile } = this.ctx.config;
    try {
      if (!certFile || !keyFile) throw new Error('no --cluster-signing-cert-file/--cluster-signing-key-file given');
      return { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
    } catch (e) {
      if (!this.warnedNoCA) this.ctx.log(`csr-signing: cannot sign certificate requests: ${(e as Error).message}`);
      this.warnedNoCA = true;
      return undefined;
    }
  }

  private fail(csr: CertificateSigningRequest, message: string): Promise<void> {
    const now = conditionTime(this.ctx.clock.now());
    const failed = { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message, lastUpdateTime: now };
    this.ctx.log(`csr-signing: ${csr.metadata!.name} failed: ${message}`);
    return this.writeStatus(csr, { ...csr.status, conditions: [...(csr.status?.conditions ?? []), failed] });
  }

  private async writeStatus(csr: CertificateSigningRequest, status: CertificateSigningRequest['status']): Promise<void> {
    await this.ctx.client.updateStatus(csrGVR, { ...csr, apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', status } as CertificateSigningRequest & { metadata: NonNullable<CertificateSigningRequest['metadata']> });
  }
}
