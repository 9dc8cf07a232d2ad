// What the services run against: the cluster the bridge shows, and, for the built-in control
// plane, the data folder its nodes and their SSH host keys are kept in.
import type { KubeClient } from '../../client/kube-client.ts';

export interface ServiceDeps {
  client: KubeClient;
  /** The built-in control plane's data folder; absent for a kubeconfig context (no SSH nodes). */
  dataDir?: string;
  /** A kubeconfig for the cluster shown, for local shells (KUBECONFIG) and kubectl. */
  kubeconfigPath?: string;
}
