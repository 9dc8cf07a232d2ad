// Workload actions, each as kubectl does it.
import type { CronJob } from 'kubernetes-types/batch/v1';
import { gvr } from '../../client/resources.ts';
import type { RolloutKind, ScalableKind, WorkloadMethods, WorkloadRef } from '../api/workloads.ts';
import * as check from '../check.ts';
import { kindSpec } from '../kinds.ts';
import type { MethodTable } from '../method.ts';
import { jobFromCronJob, manualJobName } from '../workloads/cronjob-trigger.ts';
import { rolloutHistory, rolloutUndo } from '../workloads/rollout-history.ts';
import type { ServiceDeps } from './deps.ts';

const SCALABLE: readonly ScalableKind[] = ['deployments', 'replicasets', 'statefulsets'];
const ROLLOUT: readonly RolloutKind[] = ['deployments', 'daemonsets', 'statefulsets'];
export const restartedAtAnnotation = 'kubectl.kubernetes.io/restartedAt';

function workloadRef<K extends string>(value: unknown, method: string, kinds: readonly K[]): WorkloadRef<K> & { p: check.Params } {
  const p = check.params(value, method);
  return { kind: check.oneOf(p, 'kind', method, kinds), namespace: check.name(p, 'namespace', method), name: check.name(p, 'name', method), p };
}

function cronJobRef(value: unknown, method: string) {
  const p = check.params(value, method);
  return { namespace: check.name(p, 'namespace', method), name: check.name(p, 'name', method), p };
}

/** RFC 3339 to the second, as kubectl's time.Now().Format(time.RFC3339). */
const rfc3339Now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export function workloadServices({ client }: ServiceDeps): MethodTable<keyof WorkloadMethods> {
  return {
    scaleWorkload: {
      check(value) {
        const { p, ...ref } = workloadRef(value, 'scaleWorkload', SCALABLE);
        return { ...ref, replicas: check.integer(p, 'replicas', 'scaleWorkload', 0, 100_000) };
      },
      async run({ kind, namespace, name, replicas }) {
        await client.patch(kindSpec(kind).gvr, namespace, name, { spec: { replicas } }, 'merge', { subresource: 'scale' });
        return null;
      },
    },
    restartWorkload: {
      check(value) {
        const { p: _p, ...ref } = workloadRef(value, 'restartWorkload', ROLLOUT);
        return ref;
      },
      async run({ kind, namespace, name }) {
        const patch = { spec: { template: { metadata: { annotations: { [restartedAtAnnotation]: rfc3339Now() } } } } };
        await client.patch(kindSpec(kind).gvr, namespace, name, patch, 'strategic');
        return null;
      },
    },
    rolloutHistory: {
      check(value) {
        const { p: _p, ...ref } = workloadRef(value, 'rolloutHistory', ROLLOUT);
        return ref;
      },
      run: (ref) => rolloutHistory(client, ref),
    },
    rolloutUndo: {
      check(value) {
        const { p, ...ref } = workloadRef(value, 'rolloutUndo', ROLLOUT);
        return { ...ref, toRevision: check.integer(p, 'toRevision', 'rolloutUndo', 0, Number.MAX_SAFE_INTEGER) };
      },
      async run({ toRevision, ...ref }) {
        return { revision: await rolloutUndo(client, ref, toRevision) };
      },
    },
    suspendCronJob: {
      check(value) {
        const { p, ...ref } = cronJobRef(value, 'suspendCronJob');
        return { ...ref, suspend: check.boolean(p, 'suspend', 'suspendCronJob') };
      },
      async run({ namespace, name, suspend }) {
        await client.patch(gvr.cronJobs, namespace, name, { spec: { suspend } }, 'merge');
        return null;
      },
    },
    triggerCronJob: {
      check(value) {
        const { p: _p, ...ref } = cronJobRef(value, 'triggerCronJob');
        return ref;
      },
      async run({ namespace, name }) {
        const cronJob = await client.get<CronJob>(gvr.cronJobs, namespace, name);
        const job = await client.create(gvr.jobs, jobFromCronJob(cronJob, manualJobName(name)));
        return { job: job.metadata!.name! };
      },
    },
  };
}
