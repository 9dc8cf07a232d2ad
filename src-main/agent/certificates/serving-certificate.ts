// The agent's serving certificate (the kubelet's :10250 with serverTLSBootstrap): issued by the
// cluster CA through a kubernetes.io/kubelet-serving CertificateSigningRequest for the node's
// name, hostname and addresses, kept in <state-dir>/pki/kubelet.crt and kubelet.key, and renewed
// before it ends. The API server verifies it against the cluster CA and the node's InternalIP.
// Until the first one is signed the endpoint presents a throw-away self-signed certificate,
// which the API server refuses, as a kubelet without a certificate yet refuses connections.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { KubeClient } from '../../client/kube-client.ts';
import { NODE_USER_PREFIX, NODES_GROUP } from '../../auth/join-protocol.ts';
import { writeFileAtomic } from '../../util/files.ts';
import { CertificateManager, type KeyPair } from './certificate-manager.ts';
import { KUBELET_SERVING_SIGNER, requestCertificate } from './csr-client.ts';
import { pairFits } from './pair-checks.ts';
import { selfSignedServingCert } from './self-signed-cert.ts';

export interface ServingCertificateOptions {
  client: KubeClient;
  /** The cluster CA (from the agent's kubeconfig). */
  caPem: string;
  stateDir: string;
  nodeName: string;
  /** The node's addresses (its InternalIP), besides 127.0.0.1. */
  ips: string[];
  /** The new pair is ready: serve it. */
  rotated(pair: KeyPair): void;
  log(line: string): void;
}

function readPair(dir: string): KeyPair | undefined {
  const certPath = join(dir, 'kubelet.crt');
  const keyPath = join(dir, 'kubelet.key');
  if (!existsSync(certPath) || !existsSync(keyPath)) return undefined;
  return { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
}

export function servingCertificateManager(o: ServingCertificateOptions): CertificateManager {
  const dir = join(o.stateDir, 'pki');
  const dns = [...new Set([o.nodeName, hostname(), 'localhost'])];
  const ips = [...new Set(['127.0.0.1', ...o.ips])];
  return new CertificateManager({
    name: 'serving',
    initial: readPair(dir),
    fits: (pair) => pairFits(pair, { caPem: o.caPem, dns, ips }),
    template: () => ({
      subject: { commonName: `${NODE_USER_PREFIX}${o.nodeName}`, organization: NODES_GROUP },
      sans: { dns, ips },
      signerName: KUBELET_SERVING_SIGNER,
      // The kubelet's usages for an ECDSA key (key encipherment is for RSA keys).
      usages: ['digital signature', 'server auth'],
    }),
    sign: (req, signal) => requestCertificate(o.client, req, signal),
    store: (pair) => {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileAtomic(join(dir, 'kubelet.key'), pair.keyPem, 0o600);
      writeFileAtomic(join(dir, 'kubelet.crt'), pair.certPem, 0o644);
    },
    rotated: o.rotated,
    log: o.log,
  });
}

/** What the endpoint presents before the first signed certificate: self-signed, never stored. */
export function provisionalServingCert(nodeName: string): KeyPair {
  return selfSignedServingCert(`${nodeName}@kubelab`, { dns: [nodeName, 'localhost'], ips: ['127.0.0.1'] }, 1);
}
