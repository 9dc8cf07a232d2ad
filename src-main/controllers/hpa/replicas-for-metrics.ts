// All of an HPA's metrics together (upstream's computeReplicasForMetrics): the target's selector
// checked first, then each metric's proposal; the largest wins. Metrics that fail are tolerated
// only while the working ones propose to scale up: with all failing, or a failure during what
// would be a scale-down, the HPA holds and says why in ScalingActive.
import type { MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2';
import type { Pod } from 'kubernetes-types/core/v1';
import { setCondition, type Condition, type MutableCondition } from './conditions.ts';
import { MetricError, type MetricContext } from './metric-context.ts';
import { computeReplicasForMetric } from './metric-specs.ts';
import { parseSelector, SelectorParseError, type PodSelector } from './selector.ts';

export interface MetricsResult {
  /** -1 when no replica count could be computed. */
  replicas: number;
  metricName: string;
  /** One per metric spec; {type: ""} for one that failed, as upstream leaves it. */
  statuses: MetricStatus[];
  /** What went wrong, when something did (also with a usable result). */
  error?: string;
}

export interface SelectorCheck {
  key: string;
  namespace: string;
  /** The pods of the namespace (the calculation filters them). */
  namespacePods: readonly Pod[];
  /** Every HPA's last selector, to find pods claimed by two. */
  selectors: Map<string, PodSelector>;
  conditions: MutableCondition[];
  now: number;
  warn(reason: string, message: string): void;
}

/** validateAndParseSelector: the pods the selector picks, or an error already reported. */
export function selectedPods(selector: string | undefined, c: SelectorCheck): { pods: Pod[] } | { error: string } {
  const fail = (eventReason: string, event: string, reason: string, message: string) => {
    c.warn(eventReason, event);
    setCondition(c.conditions, { type: 'ScalingActive', status: 'False', reason, message }, c.now);
    return { error: event };
  };
  if (!selector) return fail('SelectorRequired', 'selector is required', 'InvalidSelector', "the HPA target's scale is missing a selector");
  let matches: PodSelector;
  try {
    matches = parseSelector(selector);
  } catch (e) {
    if (!(e instanceof SelectorParseError)) throw e;
    const msg = `couldn't convert selector into a corresponding internal selector object: ${e.message}`;
    return fail('InvalidSelector', msg, 'InvalidSelector', msg);
  }
  c.selectors.set(c.key, matches);
  const pods = c.namespacePods.filter((p) => matches(p.metadata?.labels));
  const controlling = new Set([c.key]);
  for (const [other, sel] of c.selectors) {
    if (other === c.key || !other.startsWith(`${c.namespace}/`)) continue;
    if (pods.some((p) => sel(p.metadata?.labels))) controlling.add(other);
  }
  if (controlling.size > 1) {
    const msg = `pods by selector ${selector} are controlled by multiple HPAs: [${[...controlling].sort().join(' ')}]`;
    return fail('AmbiguousSelector', msg, 'AmbiguousSelector', msg);
  }
  return { pods };
}

export async function computeReplicasForMetrics(ctx: MetricContext, specs: readonly MetricSpec[], conditions: MutableCondition[]): Promise<MetricsResult> {
  const statuses: MetricStatus[] = specs.map(() => ({ type: '' }));
  let replicas = 0;
  let metricName = '';
  let invalid = 0;
  let first: { message: string; condition: Condition } | undefined;
  for (const [i, spec] of specs.entries()) {
    try {
      const p = await computeReplicasForMetric(ctx, spec);
      statuses[i] = p.status;
      if (replicas === 0 || p.replicas > replicas) {
        replicas = p.replicas;
        metricName = p.metricName;
      }
    } catch (err) {
      if (!(err instanceof MetricError)) throw err;
      first ??= { message: err.message, condition: err.condition };
      invalid++;
    }
  }
  const error = first ? `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${first.message}` : undefined;
  if (first && (invalid >= specs.length || replicas < ctx.specReplicas)) {
    setCondition(conditions, first.condition, ctx.now);
    return { replicas: -1, metricName: '', statuses, error };
  }
  setCondition(conditions, { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: `the HPA was able to successfully calculate a replica count from ${metricName}` }, ctx.now);
  return { replicas, metricName, statuses, error };
}
