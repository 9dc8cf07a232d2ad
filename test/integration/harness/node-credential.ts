// A node's own credential for tests: a client certificate system:node:<name>, O=system:nodes,
// from the cluster CA as a join issues it, in a kubeconfig for kubectl 1.35.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCA, ensureClientCert } from '../../../src-main/auth/ca.ts';
import type { TestCluster } from './cluster.ts';
import { Kubectl } from './kubectl.ts';

/** kubectl as node `node`, its kubeconfig written in dir. */
export async function nodeKubectl(cluster: TestCluster, node: string, dir: string): Promise<Kubectl> {
  const pki = join(cluster.cp.dataDir, 'pki');
  const cert = await ensureClientCert(pki, await ensureCA(pki), `test-${node}`, `CN=system:node:${node}, O=system:nodes`);
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const path = join(dir, `${node}.kubeconfig`);
  writeFileSync(path, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': node,
    clusters: [{ name: 'c', cluster: { server: cluster.cp.url, 'certificate-authority-data': b64(cluster.cp.caPem) } }],
    users: [{ name: node, user: { 'client-certificate-data': b64(cert.certPem), 'client-key-data': b64(cert.keyPem) } }],
    contexts: [{ name: node, context: { cluster: 'c', user: node } }],
  }), { mode: 0o600 });
  return new Kubectl('1.35', path);
}
