// The node's own credential, kept as <state-dir>/kubeconfig (0600): the API server, the cluster
// CA, and the client certificate and key the join got. A restarted agent uses it and needs no
// token again. Checked with node:crypto alone (the bundle carries no X.509 library).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseKubeconfig } from '../../client/kubeconfig.ts';
import { writeFileAtomic } from '../../util/files.ts';
import { NODE_USER_PREFIX } from '../../auth/join-protocol.ts';

export interface NodeCredential {
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

export const nodeKubeconfigPath = (stateDir: string): string => join(stateDir, 'kubeconfig');

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export function writeNodeKubeconfig(path: string, nodeName: string, c: NodeCredential): void {
  const user = `${NODE_USER_PREFIX}${nodeName}`;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kubelab', cluster: { server: c.server, 'certificate-authority-data': b64(c.caPem) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(c.certPem), 'client-key-data': b64(c.keyPem) } }],
    contexts: [{ name: 'kubelab', context: { cluster: 'kubelab', user } }],
    'current-context': 'kubelab',
  };
  writeFileAtomic(path, stringify(config), 0o600);
}

/**
 * Why the certificate is not this node's credential from this CA with this key, or undefined
 * when it is: signed by the CA, for system:node:<nodeName>, matching the key, not expired.
 */
export function credentialProblem(c: Omit<NodeCredential, 'server'>, nodeName: string, now = Date.now()): string | undefined {
  let cert: X509Certificate;
  let ca: X509Certificate;
  try {
    cert = new X509Certificate(c.certPem);
    ca = new X509Certificate(c.caPem);
  } catch (e) {
    return `its certificate cannot be read (${(e as Error).message})`;
  }
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'its certificate is not signed by its certificate authority';
  try {
    if (!cert.checkPrivateKey(createPrivateKey(c.keyPem))) return 'its key does not belong to its certificate';
  } catch (e) {
    return `its key cannot be read (${(e as Error).message})`;
  }
  const cn = /^CN=(.*)$/m.exec(cert.subject)?.[1];
  if (cn !== `${NODE_USER_PREFIX}${nodeName}`) return `it is the credential of ${cn ?? 'nobody'}, not of ${NODE_USER_PREFIX}${nodeName}`;
  if (Date.parse(cert.validTo) <= now) return `its certificate expired on ${new Date(cert.validTo).toISOString()}`;
  return undefined;
}

/** The saved credential, or the reason there is none to use. */
export function readNodeKubeconfig(path: string, nodeName: string): { credential: NodeCredential } | { problem: string } {
  if (!existsSync(path)) return { problem: `there is no ${path}` };
  let conn;
  try {
    conn = parseKubeconfig(readFileSync(path, 'utf8'));
  } catch (e) {
    return { problem: `${path} cannot be read: ${(e as Error).message}` };
  }
  if (!conn.ca || !conn.cert || !conn.key) return { problem: `${path} holds no certificate authority, client certificate and key` };
  const credential = { server: conn.server, caPem: conn.ca, certPem: conn.cert, keyPem: conn.key };
  const problem = credentialProblem(credential, nodeName);
  return problem ? { problem: `${path} is no credential to use: ${problem}` } : { credential };
}
