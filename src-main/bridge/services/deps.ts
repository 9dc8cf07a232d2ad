// What the services run against: the cluster the bridge shows, and, for the built-in control
// plane, the data folder its nodes and their SSH host keys are kept in.
import type { KubeClient } from '../../client/kube-client.ts';
import type { ContextSwitcher } from '../cluster-switch.ts';
import { SecretVault } from '../../provision/ssh/secret-vault.ts';

export interface ServiceDeps {
  client: KubeClient;
  /** The built-in control plane's data folder; absent for a kubeconfig context (no SSH nodes). */
  dataDir?: string;
  /**
   * A KUBECONFIG value (one file, or a path-delimiter list) selecting the cluster shown, for
   * local shells and kubectl.
   */
  kubeconfigPath?: string;
  /** The SSH passwords and passphrases remembered in the OS keychain (absent: none, e.g. tests). */
  sshSecrets?: SecretVault;
  /** Lists and switches the cluster the app shows (absent in tests that serve one cluster). */
  contexts?: ContextSwitcher;
}

/** The remembered SSH secrets of the built-in cluster's nodes: without a keychain, a vault that only forgets. */
export function sshSecretsOf(deps: ServiceDeps, dataDir: string): SecretVault {
  return deps.sshSecrets ?? new SecretVault(dataDir, undefined);
}
