// What every controller is given: the shared client and informers, the clock, an event
// recorder per component, the cluster's configuration and a log. Controllers reach the cluster
// only through these, never the API server's internals, so they can run in another process.
import type { DiscoveredResource } from '../client/discovery.ts';
import type { EventRecorder } from '../client/event-recorder.ts';
import type { KubeClient } from '../client/kube-client.ts';
import type { SharedInformerFactory } from '../client/informer-factory.ts';
import type { Clock } from '../util/clock.ts';
import { defaultClusterNetwork } from '../cluster-config/cluster-network.ts';

export interface ControllerConfig {
  /** The pod range nodes get their podCIDR blocks from (node IPAM; --cluster-cidr). */
  podCIDR: string;
  /** Bits of each node's podCIDR (--node-cidr-mask-size). */
  nodeCIDRMaskSize: number;
  /** A node whose lease is older than this is Unknown (kube-controller-manager --node-monitor-grace-period). */
  nodeMonitorGracePeriodMs: number;
  /** How often node health is checked (--node-monitor-period). */
  nodeMonitorPeriodMs: number;
  /** How often HPAs are evaluated (--horizontal-pod-autoscaler-sync-period). */
  hpaSyncPeriodMs: number;
  /** Default scale-down stabilisation window (--horizontal-pod-autoscaler-downscale-stabilization). */
  hpaDownscaleStabilizationMs: number;
  /** How often CronJobs are looked at even without a change. */
  cronJobSyncPeriodMs: number;
  /** Every informer re-delivers its objects this often, so a missed event is repaired. */
  resyncMs: number;
  /** The CA the CSR signer signs with (--cluster-signing-cert-file/--cluster-signing-key-file); absent: no signing. */
  clusterSigningCertFile?: string;
  clusterSigningKeyFile?: string;
  /** The longest certificate the signer issues (--cluster-signing-duration). */
  clusterSigningDurationSeconds: number;
}

/** A year, as kube-controller-manager's --cluster-signing-duration default (8760h). */
export const DEFAULT_CLUSTER_SIGNING_DURATION_SECONDS = 365 * 24 * 3600;

export const defaultControllerConfig: ControllerConfig = {
  podCIDR: defaultClusterNetwork.clusterCIDR,
  nodeCIDRMaskSize: defaultClusterNetwork.nodeCIDRMaskSize,
  nodeMonitorGracePeriodMs: 40_000,
  nodeMonitorPeriodMs: 5_000,
  hpaSyncPeriodMs: 15_000,
  hpaDownscaleStabilizationMs: 300_000,
  cronJobSyncPeriodMs: 10_000,
  resyncMs: 5 * 60_000,
  clusterSigningDurationSeconds: DEFAULT_CLUSTER_SIGNING_DURATION_SECONDS,
};

export interface ControllerContext {
  client: KubeClient;
  informers: SharedInformerFactory;
  clock: Clock;
  config: ControllerConfig;
  /** Every served resource (from discovery), for controllers that act on all kinds. */
  resources: DiscoveredResource[];
  /** The recorder of one component ("deployment-controller"). */
  recorder(component: string): EventRecorder;
  log(line: string): void;
}

export interface Controller {
  readonly name: string;
  /** Runs the workers. Informers have synced when this is called. */
  start(): Promise<void> | void;
  stop(): void;
}
