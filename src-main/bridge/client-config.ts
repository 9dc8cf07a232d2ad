// Where the bridge reaches the cluster it shows: the built-in control plane (with its data folder,
// so nodes can be added and reached over SSH) or any kubeconfig context.
import { join } from 'node:path';
import type { ConnectionConfig } from '../client/kubeconfig.ts';
import type { ControlPlane } from '../control-plane.ts';
import type { SecretVault } from '../provision/ssh/secret-vault.ts';
import { adminKubeconfig } from '../kubeconfig.ts';
import { writeFileAtomic } from '../util/files.ts';
import type { ClusterInfo } from './protocol.ts';
import { loopbackURL } from './ui-url.ts';

export interface ClientConfig {
  connection: ConnectionConfig;
  /** The bearer token browser mode's page must present (the admin token of the built-in cluster). */
  token: string;
  info: ClusterInfo;
  /** The built-in control plane's data folder; absent for a kubeconfig context. */
  dataDir?: string;
  /** A kubeconfig file for this cluster, for local shells (KUBECONFIG) and kubectl. */
  kubeconfigPath?: string;
  /** The built-in cluster's remembered SSH secrets (the nodes it added). */
  sshSecrets?: SecretVault;
}

/** The built-in control plane, reached through loopback, with a kubeconfig for local shells. */
export function builtinClientConfig(cp: Pick<ControlPlane, 'url' | 'adminToken' | 'caPem' | 'dataDir'> & Partial<Pick<ControlPlane, 'sshSecrets'>>): ClientConfig {
  const server = loopbackURL(cp.url);
  const kubeconfigPath = join(cp.dataDir, 'app.kubeconfig');
  writeFileAtomic(kubeconfigPath, adminKubeconfig(cp.dataDir, server), 0o600);
  return {
    connection: { server, token: cp.adminToken, ca: cp.caPem },
    token: cp.adminToken,
    info: { context: 'kubelab', server },
    dataDir: cp.dataDir,
    kubeconfigPath,
    ...(cp.sshSecrets ? { sshSecrets: cp.sshSecrets } : {}),
  };
}
