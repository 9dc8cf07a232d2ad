// The agent's serving certificate, made by the agent itself as the kubelet does without
// --tls-cert-file: its own small CA (<stateDir>/pki/kubelet-ca.*) and a leaf for the node's name
// and addresses (kubelet.crt / kubelet.key). The API server does not verify it yet (as upstream
// without --kubelet-certificate-authority); a cluster-signed one comes with the security issue.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ensureCA, ensureServingCert, type ServingCertificate } from '../../auth/ca.ts';

export async function agentServingCert(stateDir: string, nodeName: string, ips: string[]): Promise<ServingCertificate> {
  const dir = join(stateDir, 'pki');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = await ensureCA(dir, { file: 'kubelet-ca', cn: `${nodeName}-ca` });
  const dns = [...new Set([nodeName, hostname(), 'localhost'])];
  return ensureServingCert(dir, ca, { dns, ips: [...new Set(['127.0.0.1', ...ips])] }, { file: 'kubelet', subject: `CN=${nodeName}@kubelab` });
}
