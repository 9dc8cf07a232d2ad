// `kubelab node remove` for the app: the node added from this computer is reached over SSH with
// its pinned host key (a changed or unknown key is refused, never asked about here), cleaned by
// the provisioning library's removeNode, and forgotten from the registry (its remembered secrets too).
// A password or key passphrase not given is the remembered one, when there is one.
import type { KubeClient } from '../../client/kube-client.ts';
import { flagsOf, targetOf } from '../../provision/cli/connect-node.ts';
import { NodeRegistry, type NodeRecord } from '../../provision/cli/node-registry.ts';
import { removeNode, type RemoveResult } from '../../provision/join/remove-node.ts';
import type { ProgressListener } from '../../provision/progress.ts';
import { connectSsh } from '../../provision/ssh/connect.ts';
import { KnownHosts } from '../../provision/ssh/known-hosts.ts';
import { step } from '../../provision/progress.ts';
import type { SecretVault } from '../../provision/ssh/secret-vault.ts';
import { ServiceError } from '../service-error.ts';

export interface RemoveSshNodeOptions {
  client: KubeClient;
  dataDir: string;
  name: string;
  /** The SSH and sudo password of a node added with one; default, the remembered one. */
  password?: string;
  /** What the desktop app remembered in the OS keychain. */
  secrets: SecretVault;
  report: ProgressListener;
}

/** The registry record of a node to remove; a precise error before anything starts when it cannot be. */
export function sshNodeRecord(dataDir: string, name: string, password: string | undefined, secrets: SecretVault): NodeRecord {
  const record = new NodeRegistry(dataDir).get(name);
  if (!record) throw new ServiceError(`node ${name} was not added from this computer: delete its Node instead`, 400);
  if (record.auth === 'password' && (password ?? secrets.password(name)) === undefined) throw new ServiceError(`node ${name} logs in with a password: give it to remove the node`, 400);
  return record;
}

export async function removeSshNode(o: RemoveSshNodeOptions): Promise<RemoveResult> {
  const record = sshNodeRecord(o.dataDir, o.name, o.password, o.secrets);
  const password = o.password ?? (record.auth === 'password' ? o.secrets.password(o.name) : undefined);
  const flags = flagsOf(record, password, o.secrets.passphrase(o.name, record.keyPath));
  const host = await step(o.report, o.name, 'connect', () => connectSsh(targetOf(flags), {
    knownHosts: KnownHosts.inDataDir(o.dataDir),
    confirmHostKey: async () => false,
    sudoPassword: async () => password,
  }));
  try {
    const result = await removeNode({ client: o.client, nodeName: o.name, host, report: o.report });
    new NodeRegistry(o.dataDir).delete(o.name);
    return result;
  } finally {
    await host.close();
  }
}
