// One sync of one HPA (upstream's reconcileAutoscaler): read the target's scale, compute the
// replicas the metrics want, stabilise and limit them, write the new scale when it differs, and
// report it all in the status (current and desired replicas, current metrics, last scale time,
// conditions) and in events. The status is written only when it changed.
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerStatus, MetricStatus } from 'kubernetes-types/autoscaling/v2';
import type { Pod } from 'kubernetes-types/core/v1';
import type { DiscoveredResource } from '../../client/discovery.ts';
import type { KubeClient } from '../../client/kube-client.ts';
import { gvr } from '../../client/resources.ts';
import { cloneJSON } from '../../util/clone-json.ts';
import { parseQuantity } from '../../util/quantity.ts';
import { setCondition, timeString, type MutableCondition } from './conditions.ts';
import type { ScalingHistory } from './history.ts';
import { normalizeDesiredReplicas, normalizeDesiredReplicasWithBehaviors, storeScaleEvent, type NormalizeInput } from './normalize.ts';
import type { Tolerances } from './replica-calculator.ts';
import { computeReplicasForMetrics, selectedPods, type MetricsResult } from './replicas-for-metrics.ts';
import { getScale, reference, targetResource, updateScale, type Scale } from './scale-target.ts';
import type { PodSelector } from './selector.ts';

export interface AutoscalerDeps {
  client: KubeClient;
  resources: readonly DiscoveredResource[];
  history: ScalingHistory;
  /** Every HPA's last selector (by key), for the ambiguous-selector check. */
  selectors: Map<string, PodSelector>;
  podsInNamespace(namespace: string): readonly Pod[];
  event(hpa: HorizontalPodAutoscaler, type: 'Normal' | 'Warning', reason: string, message: string): void;
  downscaleStabilizationMs: number;
  /** --horizontal-pod-autoscaler-tolerance. */
  tolerance: number;
}

type Status = { -readonly [K in keyof HorizontalPodAutoscalerStatus]: HorizontalPodAutoscalerStatus[K] } & { conditions: MutableCondition[] };

/** The HPA's tolerances: the controller's, or the behavior's own (HPAConfigurableTolerance). */
function tolerancesOf(hpa: HorizontalPodAutoscaler, tolerance: number): Tolerances {
  const t = (q: unknown): number | undefined => {
    if (typeof q !== 'string' && typeof q !== 'number') return undefined;
    try {
      return Number(parseQuantity(q).nanos) / 1e9;
    } catch {
      return undefined;
    }
  };
  const b = hpa.spec?.behavior as { scaleUp?: { tolerance?: unknown }; scaleDown?: { tolerance?: unknown } } | undefined;
  return { scaleUp: t(b?.scaleUp?.tolerance) ?? tolerance, scaleDown: t(b?.scaleDown?.tolerance) ?? tolerance };
}

/** JSON with object keys sorted: equal text for equal values, whatever the key order. */
function stableJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJSON).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJSON(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

class Sync {
  readonly hpa: HorizontalPodAutoscaler;
  readonly status: Status;
  private readonly original: string;

  constructor(
    private readonly deps: AutoscalerDeps,
    shared: HorizontalPodAutoscaler,
    readonly key: string,
    readonly now: number,
  ) {
    this.hpa = shared;
    const copy = cloneJSON(shared.status ?? {}) as Status;
    this.original = stableJSON(shared.status ?? {});
    this.status = { ...copy, conditions: copy.conditions ?? [], currentReplicas: copy.currentReplicas ?? 0, desiredReplicas: copy.desiredReplicas ?? 0 };
  }

  get namespace(): string {
    return this.hpa.metadata?.namespace ?? '';
  }

  warn = (reason: string, message: string): void => this.deps.event(this.hpa, 'Warning', reason, message);

  condition(type: 'AbleToScale' | 'ScalingActive' | 'ScalingLimited', status: 'True' | 'False', reason: string, message: string): void {
    setCondition(this.status.conditions, { type, status, reason, message }, this.now);
  }

  /** setCurrentReplicasAndMetricsInStatus. */
  current(replicas: number, metrics: MetricStatus[] | undefined): void {
    this.status.currentReplicas = replicas;
    if (metrics?.length) this.status.currentMetrics = metrics;
    else delete this.status.currentMetrics;
  }

  /** updateStatusIfNeeded. */
  async write(): Promise<void> {
    const status = { ...this.status } as Record<string, unknown>;
    if (this.status.conditions.length === 0) delete status.conditions;
    if (stableJSON(status) === this.original) return;
    const hpa = { ...this.hpa, status } as unknown as HorizontalPodAutoscaler;
    await this.deps.client.updateStatus(gvr.horizontalPodAutoscalers, hpa);
  }
}

/** The scale of the target, or undefined after reporting FailedGetScale. */
async function readScale(s: Sync, deps: AutoscalerDeps): Promise<{ scale: Scale; target: ReturnType<typeof targetResource> } | { error: string }> {
  const ref = s.hpa.spec!.scaleTargetRef;
  try {
    const target = targetResource(ref, deps.resources);
    const scale = await getScale(deps.client, target, s.namespace, ref.name);
    s.condition('AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale");
    return { scale, target };
  } catch (err) {
    const message = (err as Error).message;
    s.warn('FailedGetScale', message);
    s.condition('AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${message}`);
    await s.write();
    return { error: `failed to query scale subresource for ${reference(ref, s.namespace)}: ${message}` };
  }
}

async function metricsProposal(s: Sync, deps: AutoscalerDeps, scale: Scale): Promise<MetricsResult> {
  const selector = scale.status?.selector;
  const picked = selectedPods(selector, {
    key: s.key, namespace: s.namespace, namespacePods: deps.podsInNamespace(s.namespace), selectors: deps.selectors,
    conditions: s.status.conditions, now: s.now, warn: s.warn,
  });
  if ('error' in picked) return { replicas: -1, metricName: '', statuses: [], error: picked.error };
  const ctx = {
    client: deps.client, hpa: s.hpa, namespace: s.namespace, specReplicas: scale.spec?.replicas ?? 0, selector: selector!,
    pods: picked.pods, tolerances: tolerancesOf(s.hpa, deps.tolerance), now: s.now, warn: s.warn,
  };
  return computeReplicasForMetrics(ctx, s.hpa.spec?.metrics ?? [], s.status.conditions);
}

/** Syncs one HPA. Resolves with an error message to log when the sync could not finish. */
export async function reconcileAutoscaler(deps: AutoscalerDeps, shared: HorizontalPodAutoscaler, key: string, now: number): Promise<string | undefined> {
  const s = new Sync(deps, shared, key, now);
  const spec = shared.spec!;
  const ref = reference(spec.scaleTargetRef, s.namespace);
  const read = await readScale(s, deps);
  if ('error' in read) return read.error;
  const { scale, target } = read;
  const currentReplicas = scale.spec?.replicas ?? 0;
  deps.history.recordInitialRecommendation(key, currentReplicas, now);
  const minReplicas = spec.minReplicas ?? 1;
  let desiredReplicas = 0;
  let rescaleReason = '';
  let rescale = true;
  let statuses: MetricStatus[] | undefined;
  let retErr: string | undefined;
  if (currentReplicas === 0 && minReplicas !== 0) {
    // a target scaled to zero by hand is left alone
    rescale = false;
    s.condition('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
  } else if (currentReplicas > spec.maxReplicas) {
    rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
    desiredReplicas = spec.maxReplicas;
  } else if (currentReplicas < minReplicas) {
    rescaleReason = 'Current number of replicas below Spec.MinReplicas';
    desiredReplicas = minReplicas;
  } else {
    const m = await metricsProposal(s, deps, scale);
    statuses = m.statuses;
    if (m.replicas === -1) {
      s.current(currentReplicas, statuses);
      await s.write();
      s.warn('FailedComputeMetricsReplicas', m.error ?? '');
      return `failed to compute desired number of replicas based on listed metrics for ${ref}: ${m.error}`;
    }
    retErr = m.error;
    desiredReplicas = Math.max(desiredReplicas, m.replicas);
    if (desiredReplicas > currentReplicas) rescaleReason = `${m.metricName} above target`;
    if (desiredReplicas < currentReplicas) rescaleReason = 'All metrics below target';
    const input: NormalizeInput = { key, currentReplicas, desiredReplicas, minReplicas, maxReplicas: spec.maxReplicas, now, downscaleStabilizationMs: deps.downscaleStabilizationMs };
    const n = spec.behavior ? normalizeDesiredReplicasWithBehaviors(deps.history, input, spec.behavior) : normalizeDesiredReplicas(deps.history, input);
    setCondition(s.status.conditions, n.ableToScale, now);
    setCondition(s.status.conditions, n.scalingLimited, now);
    desiredReplicas = n.replicas;
    rescale = desiredReplicas !== currentReplicas;
  }
  if (rescale) {
    try {
      await updateScale(deps.client, target, s.namespace, { ...scale, spec: { ...scale.spec, replicas: desiredReplicas } });
    } catch (err) {
      const message = (err as Error).message;
      s.warn('FailedRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}; error: ${message}`);
      s.condition('AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${message}`);
      s.current(currentReplicas, statuses);
      await s.write();
      return `failed to rescale ${ref}: ${message}`;
    }
    s.condition('AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desiredReplicas}`);
    deps.event(shared, 'Normal', 'SuccessfulRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}`);
    storeScaleEvent(deps.history, spec.behavior, key, currentReplicas, desiredReplicas, now, deps.downscaleStabilizationMs);
    s.status.lastScaleTime = timeString(now);
  } else {
    desiredReplicas = currentReplicas;
  }
  // setStatus: the status is rebuilt from these (observedGeneration is not kept, as upstream)
  const { lastScaleTime, conditions } = s.status;
  for (const k of Object.keys(s.status)) delete (s.status as Record<string, unknown>)[k];
  Object.assign(s.status, { currentReplicas, desiredReplicas, ...(lastScaleTime ? { lastScaleTime } : {}), conditions });
  if (statuses?.length) s.status.currentMetrics = statuses;
  await s.write();
  return retErr;
}
