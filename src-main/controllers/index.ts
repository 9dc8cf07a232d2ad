// Every controller the controller manager runs. Add a controller: write its file, list it here.
import type { ControllerFactory } from './manager.ts';
import { NamespaceController } from './namespace.ts';
import { ReplicaSetController } from './replicaset.ts';
import { DeploymentController } from './deployment.ts';
import { EndpointsController } from './endpoints.ts';
import { EndpointSliceController } from './endpointslice.ts';
import { ServiceLBController } from './service-lb.ts';
import { GarbageCollector } from './garbage-collector.ts';
import { JobController } from './job.ts';
import { CronJobController } from './cronjob.ts';
import { TTLAfterFinishedController } from './ttl-after-finished.ts';
import { NodeIpamController } from './node-ipam.ts';
import { NodeLifecycleController } from './node-lifecycle.ts';
import { TaintEvictionController } from './node-lifecycle/taint-eviction.ts';
import { OrphanedPodsController } from './node-lifecycle/orphaned-pods.ts';
import { DaemonSetController } from './daemonset.ts';
import { HorizontalPodAutoscalerController } from './horizontal-pod-autoscaler.ts';
import { BootstrapTokenCleaner } from './bootstrap-token-cleaner.ts';
import { ClusterRoleAggregationController } from './clusterrole-aggregation.ts';
import { ServiceAccountsController } from './service-account.ts';
import { RootCACertPublisher } from './root-ca-publisher.ts';
import { CSRApprovingController } from './csr-approving.ts';
import { CSRSigningController } from './csr-signing.ts';

export const controllerFactories: readonly ControllerFactory[] = [
  (ctx) => new NamespaceController(ctx),
  (ctx) => new ReplicaSetController(ctx),
  (ctx) => new DeploymentController(ctx),
  (ctx) => new EndpointsController(ctx),
  (ctx) => new EndpointSliceController(ctx),
  (ctx) => new ServiceLBController(ctx),
  (ctx) => new GarbageCollector(ctx),
  (ctx) => new NodeIpamController(ctx),
  (ctx) => new NodeLifecycleController(ctx),
  (ctx) => new TaintEvictionController(ctx),
  (ctx) => new OrphanedPodsController(ctx),
  (ctx) => new DaemonSetController(ctx),
  (ctx) => new JobController(ctx),
  (ctx) => new CronJobController(ctx),
  (ctx) => new TTLAfterFinishedController(ctx),
  (ctx) => new HorizontalPodAutoscalerController(ctx),
  (ctx) => new BootstrapTokenCleaner(ctx),
  (ctx) => new ClusterRoleAggregationController(ctx),
  (ctx) => new ServiceAccountsController(ctx),
  (ctx) => new RootCACertPublisher(ctx),
  (ctx) => new CSRApprovingController(ctx),
  (ctx) => new CSRSigningController(ctx),
];
