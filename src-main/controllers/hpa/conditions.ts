// HPA status conditions as upstream's setCondition: a condition keeps its lastTransitionTime
// until its status changes; reason and message always take the latest values. The three types:
// AbleToScale (can the target's scale be read and written), ScalingActive (can a replica count
// be computed from the metrics), ScalingLimited (did min/max or a rate limit cap it).
import type { HorizontalPodAutoscalerCondition } from 'kubernetes-types/autoscaling/v2';

export type ConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: ConditionType;
  status: ConditionStatus;
  reason: string;
  message: string;
}

/** A condition of the copy being worked on (kubernetes-types marks fields readonly). */
export type MutableCondition = { -readonly [K in keyof HorizontalPodAutoscalerCondition]: HorizontalPodAutoscalerCondition[K] };

/** RFC 3339 with second precision, as metav1.Time. */
export function timeString(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function setCondition(conditions: MutableCondition[], c: Condition, now: number): void {
  let existing = conditions.find((x) => x.type === c.type);
  if (!existing) {
    existing = { type: c.type, status: '' };
    conditions.push(existing);
  }
  if (existing.status !== c.status) existing.lastTransitionTime = timeString(now);
  existing.status = c.status;
  existing.reason = c.reason;
  existing.message = c.message;
}
