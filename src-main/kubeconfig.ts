// The admin kubeconfig that `kubelab kubeconfig` prints: the cluster's CA, the URL it was last
// served at, and the admin token.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { readServerRecord } from './control-plane.ts';

export class KubeconfigError extends Error {}

export function adminKubeconfig(dataDir: string, serverOverride?: string): string {
  const caPath = join(dataDir, 'pki', 'ca.crt');
  const tokenPath = join(dataDir, 'admin.token');
  if (!existsSync(caPath) || !existsSync(tokenPath)) {
    throw new KubeconfigError(`no cluster in ${dataDir} yet: run \`kubelab serve --data-dir ${dataDir}\` (or \`kubelab start\`) once first`);
  }
  const server = serverOverride ?? readServerRecord(dataDir)?.url ?? 'https://127.0.0.1:6443';
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kubelab', cluster: { server, 'certificate-authority-data': Buffer.from(readFileSync(caPath)).toString('base64') } }],
    users: [{ name: 'kubelab-admin', user: { token: readFileSync(tokenPath, 'utf8').trim() } }],
    contexts: [{ name: 'kubelab', context: { cluster: 'kubelab', user: 'kubelab-admin' } }],
    'current-context': 'kubelab',
  };
  return stringify(config);
}
