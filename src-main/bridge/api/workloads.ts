// Workload actions as kubectl does them: scale, rollout restart / history / undo, CronJob suspend
// and trigger. Deleting one is deleteObject (./cluster.ts).

export type ScalableKind = 'deployments' | 'replicasets' | 'statefulsets';
export type RolloutKind = 'deployments' | 'daemonsets' | 'statefulsets';

export interface WorkloadRef<K extends string> {
  kind: K;
  namespace: string;
  name: string;
}

/** One entry of `kubectl rollout history`. */
export interface Revision {
  revision: number;
  /** kubernetes.io/change-cause of the ReplicaSet / ControllerRevision, '' when unset. */
  changeCause: string;
  /** The pod template's container images, in order. */
  images: string[];
  created?: string;
  /** The ReplicaSet or ControllerRevision holding it. */
  source: string;
  /** The workload runs this revision now. */
  current: boolean;
}

export interface WorkloadMethods {
  /** Sets spec.replicas through the scale subresource (kubectl scale). */
  scaleWorkload: { params: WorkloadRef<ScalableKind> & { replicas: number }; result: null };
  /** kubectl rollout restart: stamps kubectl.kubernetes.io/restartedAt on the pod template. */
  restartWorkload: { params: WorkloadRef<RolloutKind>; result: null };
  /** kubectl rollout history, newest first. */
  rolloutHistory: { params: WorkloadRef<RolloutKind>; result: Revision[] };
  /** kubectl rollout undo --to-revision (0: the one before the current). Returns the revision restored. */
  rolloutUndo: { params: WorkloadRef<RolloutKind> & { toRevision: number }; result: { revision: number } };
  /** spec.suspend of a CronJob (kubectl patch cronjob x -p '{"spec":{"suspend":true}}'). */
  suspendCronJob: { params: { namespace: string; name: string; suspend: boolean }; result: null };
  /** kubectl create job --from=cronjob/x: returns the Job's name. */
  triggerCronJob: { params: { namespace: string; name: string }; result: { job: string } };
}
