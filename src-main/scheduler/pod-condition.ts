// Telling a pod why it waits, as handleSchedulingFailure does: the PodScheduled=False condition
// (reason Unschedulable, or SchedulerError when something broke) written through the status
// subresource — only when it changed, so a pod retried every few seconds for the same reason
// costs no writes — and a FailedScheduling Warning event each attempt (the recorder folds
// repeats into one event with a count).
import type { Pod, PodCondition } from 'kubernetes-types/core/v1';
import { involved, type EventRecorder } from '../client/event-recorder.ts';
import type { KubeClient } from '../client/kube-client.ts';
import { gvr } from '../client/resources.ts';

export type FailureReason = 'Unschedulable' | 'SchedulerError';

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** The condition to write, or undefined when the pod already says exactly this. */
export function podScheduledCondition(pod: Pod, reason: FailureReason, message: string, now: number): PodCondition | undefined {
  const old = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (old && old.status === 'False' && old.reason === reason && old.message === message && !old.lastProbeTime) return undefined;
  return {
    type: 'PodScheduled',
    status: 'False',
    reason,
    message,
    lastProbeTime: null as unknown as string, // upstream writes it as null
    lastTransitionTime: old?.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(now),
  };
}

export async function recordFailure(
  client: KubeClient, recorder: EventRecorder, pod: Pod, reason: FailureReason, message: string, now: number,
): Promise<void> {
  recorder.event(involved(pod, 'Pod', gvr.pods), 'Warning', 'FailedScheduling', message);
  const condition = podScheduledCondition(pod, reason, message, now);
  if (!condition) return;
  await client.patch(gvr.pods, pod.metadata!.namespace, pod.metadata!.name!, { status: { conditions: [condition] } }, 'strategic', { subresource: 'status' });
}

export function recordScheduled(recorder: EventRecorder, pod: Pod, nodeName: string): void {
  const m = pod.metadata!;
  recorder.event(involved(pod, 'Pod', gvr.pods), 'Normal', 'Scheduled', `Successfully assigned ${m.namespace}/${m.name} to ${nodeName}`);
}
