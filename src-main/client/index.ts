// The shared Kubernetes client: import from here.
export { KubeClient, type KubeClientOptions } from './kube-client.ts';
export { ApiError, isAlreadyExists, isConflict, isGone, isNotFound } from './api-error.ts';
export { apiVersionOf, groupVersionPath, parseApiVersion, resourcePath, type GroupVersionResource } from './gvr.ts';
export { parseKubeconfig, type ConnectionConfig } from './kubeconfig.ts';
export { Informer, objectKey, type InformerHandlers, type InformerOptions } from './informer.ts';
export { WorkQueue, runWorkers } from './workqueue.ts';
export {
  BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, defaultControllerRateLimiter,
  type RateLimiter,
} from './rate-limiter.ts';
export { JsonStreamDecoder } from './watch-decoder.ts';
export type {
  DeleteOptions, KubeList, KubeObject, ListOptions, PatchOptions, PatchType, WatchEvent, WatchHandle,
  WatchOptions, WriteOptions,
} from './types.ts';
