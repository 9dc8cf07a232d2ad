// The node's client certificate (system:node:<name>, the credential a join made), renewed before
// it ends through a kubernetes.io/kube-apiserver-client-kubelet CertificateSigningRequest sent
// with the current one, as the kubelet's --rotate-certificates does. The new pair is written to
// <state-dir>/kubeconfig first (a restarted agent uses it), then used for new connections.
import type { KubeClient } from '../../client/kube-client.ts';
import { NODE_USER_PREFIX, NODES_GROUP } from '../../auth/join-protocol.ts';
import { writeNodeKubeconfig, type NodeCredential } from '../bootstrap/node-kubeconfig.ts';
import { CertificateManager } from './certificate-manager.ts';
import { KUBELET_CLIENT_SIGNER, requestCertificate } from './csr-client.ts';
import { pairFits } from './pair-checks.ts';

export interface ClientCertificateOptions {
  client: KubeClient;
  kubeconfigPath: string;
  credential: NodeCredential;
  nodeName: string;
  log(line: string): void;
}

export function clientCertificateManager(o: ClientCertificateOptions): CertificateManager {
  const commonName = `${NODE_USER_PREFIX}${o.nodeName}`;
  return new CertificateManager({
    name: 'client',
    initial: { certPem: o.credential.certPem, keyPem: o.credential.keyPem },
    fits: (pair) => pairFits(pair, { caPem: o.credential.caPem, commonName }),
    template: () => ({
      subject: { commonName, organization: NODES_GROUP },
      signerName: KUBELET_CLIENT_SIGNER,
      // The kubelet's usages for an ECDSA key.
      usages: ['digital signature', 'client auth'],
    }),
    sign: (req, signal) => requestCertificate(o.client, req, signal),
    // The server written is the kubeconfig's own, not a --server given for this run.
    store: (pair) => writeNodeKubeconfig(o.kubeconfigPath, o.nodeName, { ...o.credential, ...pair }),
    rotated: (pair) => o.client.setClientCertificate(pair.certPem, pair.keyPem),
    log: o.log,
  });
}
