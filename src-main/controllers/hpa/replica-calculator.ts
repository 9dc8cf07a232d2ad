// The replica calculator (upstream's replica_calculator.go): from the pods the target selects
// and their metrics, how many replicas would bring the average to the target. Pods being
// deleted or failed are ignored; pending, not-yet-ready and freshly started pods do not count
// their cpu samples; pods without metrics count as 100% (target, for raw values) on a scale-down
// and 0% on a scale-up, so that missing data never makes the HPA move further than the data
// supports. A ratio within the tolerance keeps the current count.
import type { Container, Pod } from 'kubernetes-types/core/v1';
import { milliValue, parseQuantity } from '../../util/quantity.ts';
import type { PodMetricsInfo } from './resource-metrics.ts';

export interface Tolerances {
  scaleDown: number;
  scaleUp: number;
}

export function isWithin(t: Tolerances, usageRatio: number): boolean {
  return 1 - t.scaleDown <= usageRatio && usageRatio <= 1 + t.scaleUp;
}

/** How long after a pod starts its cpu may be unrepresentative (--horizontal-pod-autoscaler-cpu-initialization-period). */
export const cpuInitializationPeriodMs = 5 * 60_000;
/** How long after start a not-yet-ready pod is taken as never ready (--horizontal-pod-autoscaler-initial-readiness-delay). */
export const delayOfInitialReadinessStatusMs = 30_000;

export interface PodGroups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

const time = (t: string | undefined): number => (t ? Date.parse(t) : NaN);

/** Whether a pod's cpu sample is too early to trust (upstream's groupPods, cpu only). */
function cpuUnready(pod: Pod, sampleAt: number, windowMs: number, now: number): boolean {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const startedAt = time(pod.status?.startTime);
  if (!ready || Number.isNaN(startedAt)) return true;
  const transitionAt = time(ready.lastTransitionTime);
  if (startedAt + cpuInitializationPeriodMs > now) {
    // Still initialising: unready, or ready for less than one metrics window.
    return ready.status === 'False' || sampleAt < transitionAt + windowMs;
  }
  // Past initialisation: only a pod that has never been ready is left out.
  return ready.status === 'False' && startedAt + delayOfInitialReadinessStatusMs > transitionAt;
}

export function groupPods(pods: readonly Pod[], metrics: PodMetricsInfo, resource: string, now: number): PodGroups {
  const g: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    if (pod.metadata?.deletionTimestamp || pod.status?.phase === 'Failed') {
      g.ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      g.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      g.missing.add(name);
      continue;
    }
    if (resource === 'cpu' && cpuUnready(pod, metric.timestamp, metric.windowMs, now)) {
      g.unready.add(name);
      continue;
    }
    g.readyPodCount++;
  }
  return g;
}

function requestOf(c: Container, resource: string, podName: string): number {
  const q = c.resources?.requests?.[resource];
  if (q === undefined) throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${podName}`);
  return milliValue(parseQuantity(q));
}

/** Each pod's request in milli-units: pod-level when set, else its containers' (or the one named). */
export function podRequests(pods: readonly Pod[], container: string, resource: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    // pod-level resources (KEP-2837) are newer than kubernetes-types' PodSpec
    const podLevel = (pod.spec as { resources?: { requests?: Record<string, string> } } | undefined)?.resources?.requests?.[resource];
    if (!container && podLevel !== undefined) {
      out.set(name, milliValue(parseQuantity(podLevel)));
      continue;
    }
    const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
    const containers = [...(pod.spec?.containers ?? []), ...sidecars];
    if (container) {
      const c = containers.find((x) => x.name === container);
      if (!c) throw new Error(`container ${container} not found in Pod ${name}`);
      out.set(name, requestOf(c, resource, name));
    } else {
      out.set(name, containers.reduce((sum, c) => sum + requestOf(c, resource, name), 0));
    }
  }
  return out;
}

export interface Utilization {
  ratio: number;
  /** Percent of the requests, truncated as upstream's int32 arithmetic. */
  utilization: number;
  /** Average usage per pod, milli-units. */
  rawAverage: number;
}

export function utilizationRatio(metrics: PodMetricsInfo, requests: Map<string, number>, targetUtilization: number): Utilization {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entries = 0;
  for (const [name, m] of metrics) {
    const request = requests.get(name);
    // requests are checked elsewhere: a metric without one is an extra pod
    if (request === undefined) continue;
    metricsTotal += m.value;
    requestsTotal += request;
    entries++;
  }
  if (requestsTotal === 0) throw new Error('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(metricsTotal / entries) };
}

export function metricUsageRatio(metrics: PodMetricsInfo, targetUsage: number): { ratio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = Math.trunc(total / metrics.size);
  return { ratio: usage / targetUsage, usage };
}

export interface CalculatorInput {
  currentReplicas: number;
  pods: readonly Pod[];
  /** A copy: the calculation fills in and removes entries. */
  metrics: PodMetricsInfo;
  resource: string;
  container: string;
  tolerances: Tolerances;
  now: number;
}

/** Leaves only the metrics of pods that count; throws when none do. */
function usableMetrics(input: CalculatorInput): PodGroups {
  const { pods, metrics } = input;
  if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const groups = groupPods(pods, metrics, input.resource, input.now);
  for (const name of [...groups.ignored, ...groups.unready]) metrics.delete(name);
  if (metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  return groups;
}

/**
 * The second pass shared by both calculations: fill in missing and unready pods, recompute, and
 * keep the current count where that would change direction or stay within tolerance.
 */
function adjusted(input: CalculatorInput, groups: PodGroups, ratio: number, missingValue: (name: string) => number, recompute: () => number): number {
  const { metrics, currentReplicas } = input;
  const scaleUpWithUnready = groups.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    if (isWithin(input.tolerances, ratio)) return currentReplicas;
    return Math.ceil(ratio * groups.readyPodCount);
  }
  if (groups.missing.size > 0) {
    if (ratio < 1) for (const name of groups.missing) metrics.set(name, { value: missingValue(name), timestamp: NaN, windowMs: NaN });
    else if (ratio > 1) for (const name of groups.missing) metrics.set(name, { value: 0, timestamp: NaN, windowMs: NaN });
  }
  if (scaleUpWithUnready) for (const name of groups.unready) metrics.set(name, { value: 0, timestamp: NaN, windowMs: NaN });
  const newRatio = recompute();
  if (isWithin(input.tolerances, newRatio) || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) return currentReplicas;
  const replicas = Math.ceil(newRatio * metrics.size);
  if ((newRatio < 1 && replicas > currentReplicas) || (newRatio > 1 && replicas < currentReplicas)) return currentReplicas;
  return replicas;
}

/** GetResourceReplicas: for a target utilization (percent of requests). */
export function resourceReplicas(input: CalculatorInput, targetUtilization: number): { replicas: number } & Utilization {
  const groups = usableMetrics(input);
  const requests = podRequests(input.pods, input.container, input.resource);
  const first = utilizationRatio(input.metrics, requests, targetUtilization);
  // on a scale-down a pod without metrics counts as using all it asked for, or the target if higher
  const fallback = Math.max(100, targetUtilization);
  const replicas = adjusted(input, groups, first.ratio, (name) => Math.trunc(((requests.get(name) ?? 0) * fallback) / 100),
    () => utilizationRatio(input.metrics, requests, targetUtilization).ratio);
  return { replicas, ...first };
}

/** GetRawResourceReplicas / calcPlainMetricReplicas: for a target average value (milli-units). */
export function rawResourceReplicas(input: CalculatorInput, targetUsage: number): { replicas: number; usage: number } {
  const groups = usableMetrics(input);
  const first = metricUsageRatio(input.metrics, targetUsage);
  const replicas = adjusted(input, groups, first.ratio, () => targetUsage, () => metricUsageRatio(input.metrics, targetUsage).ratio);
  return { replicas, usage: first.usage };
}
