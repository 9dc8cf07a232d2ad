// `kubelab kubeconfig --user NAME [--role ROLE] [--namespace NS]`: a kubeconfig for a teammate,
// with a client certificate the cluster CA signs for CN=NAME (kubeadm's `kubeconfig user`), and,
// with --role, a binding of that ClusterRole to the user: in NS only (a RoleBinding) or in the
// whole cluster (a ClusterRoleBinding). The binding is made through the running API first, so
// the kubeconfig printed works at once; without a running cluster nothing is issued.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ClusterRole } from 'kubernetes-types/rbac/v1';
import { ensureCA, issueCertificate } from './auth/ca.ts';
import { rbacGroup } from './api/resources/rbac/binding.ts';
import { isAlreadyExists, isNotFound, KubeClient } from './client/index.ts';
import { gvr } from './client/resources.ts';
import { adminKubeconfig, KubeconfigError } from './kubeconfig.ts';

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

export interface UserKubeconfigOptions {
  user: string;
  role?: string;
  namespace?: string;
  server?: string;
}

/** A name that is safe in a certificate subject and not one of the system's own identities. */
function checkUserName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]*$/.test(name) || name.length > 64) {
    throw new KubeconfigError(`--user "${name}" must be 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit`);
  }
}

/** Binds the ClusterRole to the user; an existing binding of the same name is left as it is. */
async function bindRole(client: KubeClient, user: string, role: string, namespace: string | undefined): Promise<void> {
  try {
    await client.get<ClusterRole>(gvr.clusterRoles, undefined, role);
  } catch (e) {
    if (isNotFound(e)) throw new KubeconfigError(`--role ${role}: the cluster has no ClusterRole "${role}" (see kubectl get clusterroles)`);
    throw new KubeconfigError(`cannot reach the cluster at ${client.server} to bind the role (is kubelab serve running?): ${(e as Error).message}`);
  }
  const binding = {
    apiVersion: `${rbacGroup}/v1`,
    kind: namespace ? 'RoleBinding' : 'ClusterRoleBinding',
    metadata: { name: `kubelab-user:${user}:${role}`, ...(namespace ? { namespace } : {}) },
    roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: role },
    subjects: [{ apiGroup: rbacGroup, kind: 'User', name: user }],
  };
  try {
    await client.create(namespace ? gvr.roleBindings : gvr.clusterRoleBindings, binding);
  } catch (e) {
    if (!isAlreadyExists(e)) throw new KubeconfigError(`binding ${role} to ${user}: ${(e as Error).message}`);
  }
}

export async function userKubeconfig(dataDir: string, opts: UserKubeconfigOptions): Promise<string> {
  checkUserName(opts.user);
  if (opts.namespace !== undefined && !opts.role) throw new KubeconfigError('--namespace needs --role: it is where the role is granted');
  // Reads the admin's kubeconfig first: it fails with the usual message when there is no cluster.
  const admin = adminKubeconfig(dataDir, opts.server);
  const pki = join(dataDir, 'pki');
  if (!existsSync(join(pki, 'ca.key'))) throw new KubeconfigError(`no cluster CA key in ${pki}: only the machine the cluster runs on can sign a user's certificate`);
  if (opts.role) {
    const client = KubeClient.fromKubeconfig(admin);
    try {
      await bindRole(client, opts.user, opts.role, opts.namespace);
    } finally {
      client.close();
    }
  }
  const ca = await ensureCA(pki);
  const cert = await issueCertificate(ca, { subject: `CN=${opts.user}`, usages: [CLIENT_AUTH_OID], days: 365 });
  const adminConfig = KubeClient.fromKubeconfig(admin);
  const server = adminConfig.server;
  adminConfig.close();
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kubelab', cluster: { server, 'certificate-authority-data': b64(ca.certPem) } }],
    users: [{ name: opts.user, user: { 'client-certificate-data': b64(cert.certPem), 'client-key-data': b64(cert.keyPem) } }],
    contexts: [{ name: `${opts.user}@kubelab`, context: { cluster: 'kubelab', user: opts.user, ...(opts.namespace ? { namespace: opts.namespace } : {}) } }],
    'current-context': `${opts.user}@kubelab`,
  });
}
