// The status an evicted pod ends with (the eviction manager's killPodFunc status update): phase
// Failed, reason Evicted and the eviction message, a DisruptionTarget condition saying the kubelet
// ended it, and every container terminated — one the kill caught before its exit was recorded
// shows SIGKILL's 137.
import type { PodCondition, PodStatus } from 'kubernetes-types/core/v1';
import { containerID, type ContainerRecord } from '../pod-status.ts';

export const EVICTED_REASON = 'Evicted';

/** Containers still without an end once stopped: they were killed. */
export function markKilled(records: ContainerRecord[], now: string, runtime: string): void {
  for (const r of records) {
    if (r.id && !r.terminated) r.terminated = { exitCode: 137, reason: 'Error', startedAt: r.startedAt ?? now, finishedAt: now, containerID: containerID(runtime, r.id) };
  }
}

export function evictedStatus(status: PodStatus, message: string, now: string): PodStatus {
  const disruption: PodCondition = { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message, lastTransitionTime: now, lastProbeTime: null as unknown as string };
  return {
    ...status,
    phase: 'Failed',
    reason: EVICTED_REASON,
    message,
    conditions: [disruption, ...(status.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget')],
  };
}
