// What computing one metric's proposal needs and gives: the HPA and its target's pods, the
// proposal (replicas, a name for messages, the status to report), or a MetricError carrying
// the ScalingActive condition upstream would set.
import type { HorizontalPodAutoscaler, MetricStatus } from 'kubernetes-types/autoscaling/v2';
import type { Pod } from 'kubernetes-types/core/v1';
import type { KubeClient } from '../../client/kube-client.ts';
import { formatQuantity } from '../../util/quantity.ts';
import type { Condition } from './conditions.ts';
import type { Tolerances } from './replica-calculator.ts';

export interface MetricContext {
  client: KubeClient;
  hpa: HorizontalPodAutoscaler;
  namespace: string;
  specReplicas: number;
  /** The scale's selector, as the metrics API takes it. */
  selector: string;
  /** The pods it selects, from the cache. */
  pods: readonly Pod[];
  tolerances: Tolerances;
  now: number;
  /** Records a Warning event on the HPA. */
  warn(reason: string, message: string): void;
}

export interface MetricProposal {
  replicas: number;
  /** "cpu resource utilization (percentage of request)": how events and conditions name it. */
  metricName: string;
  timestamp: number;
  status: MetricStatus;
}

/** A metric that gave no proposal; condition is what ScalingActive says about it. */
export class MetricError extends Error {
  constructor(message: string, readonly condition: Condition) {
    super(message);
  }
}

/** NewMilliQuantity(v, DecimalSI).String(). */
export function milliQuantity(milli: number): string {
  return formatQuantity({ nanos: BigInt(Math.trunc(milli)) * 1_000_000n, format: 'DecimalSI' });
}

/** The condition of a metric that could not be read, with its event (getUnableComputeReplicaCountCondition). */
export function unableToCompute(ctx: MetricContext, reason: string, err: string): Condition {
  ctx.warn(reason, err);
  return { type: 'ScalingActive', status: 'False', reason, message: `the HPA was unable to compute the replica count: ${err}` };
}
