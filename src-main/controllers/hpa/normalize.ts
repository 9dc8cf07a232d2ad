// From the metrics' proposal to the replicas to set, as upstream's normalizeDesiredReplicas:
// first stabilise (the highest recommendation of the scale-down window, the lowest of the
// scale-up window, so that a brief dip or spike does not flap the target), then limit the rate
// and clamp to [minReplicas, maxReplicas]. Without spec.behavior the legacy rules apply (a
// 5-minute down window, at most max(2×, 4) up); with it, its windows and policies.
import type { HPAScalingRules, HorizontalPodAutoscalerBehavior } from 'kubernetes-types/autoscaling/v2';
import type { Condition } from './conditions.ts';
import type { ScaleEvent, ScalingHistory } from './history.ts';

export interface NormalizeInput {
  key: string;
  currentReplicas: number;
  /** What the metrics propose. */
  desiredReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  now: number;
  /** The controller's default scale-down window (--horizontal-pod-autoscaler-downscale-stabilization). */
  downscaleStabilizationMs: number;
}

export interface Normalized {
  replicas: number;
  ableToScale: Condition;
  scalingLimited: Condition;
}

const readyForNewScale: Condition = { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
const scaleDownStabilized: Condition = { type: 'AbleToScale', status: 'True', reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
const scaleUpStabilized: Condition = { type: 'AbleToScale', status: 'True', reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' };

type Limit = [replicas: number, reason: string, message: string];
const withinRange = (replicas: number): Limit => [replicas, 'DesiredWithinRange', 'the desired count is within the acceptable range'];
const tooMany: [string, string] = ['TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
const tooFew: [string, string] = ['TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
const upLimit: [string, string] = ['ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate'];
const downLimit: [string, string] = ['ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate'];

function limited(stabilized: number, [replicas, reason, message]: Limit): Condition {
  return { type: 'ScalingLimited', status: replicas === stabilized ? 'False' : 'True', reason, message };
}

// ---- without behavior ----

/** The highest recommendation of the window, recording this one (reusing an expired slot). */
function stabilizeRecommendation(history: ScalingHistory, input: NormalizeInput): number {
  const cutoff = input.now - input.downscaleStabilizationMs;
  let max = input.desiredReplicas;
  let oldIndex: number | undefined;
  (history.recommendations.get(input.key) ?? []).forEach((rec, i) => {
    if (rec.at < cutoff) oldIndex = i;
    else if (rec.replicas > max) max = rec.replicas;
  });
  history.recordRecommendation(input.key, input.desiredReplicas, input.now, oldIndex);
  return max;
}

/** max(2 × current, 4): the legacy cap on one scale up (against bogus usage spikes). */
export function scaleUpLimit(currentReplicas: number): number {
  return Math.max(2 * currentReplicas, 4);
}

export function convertDesiredReplicasWithRules(current: number, desired: number, min: number, max: number): Limit {
  const upCap = scaleUpLimit(current);
  const [maxAllowed, [reason, message]] = max > upCap ? [upCap, upLimit] : [max, tooMany];
  if (desired < min) return [min, ...tooFew];
  if (desired > maxAllowed) return [maxAllowed, reason, message];
  return withinRange(desired);
}

export function normalizeDesiredReplicas(history: ScalingHistory, input: NormalizeInput): Normalized {
  const stabilized = stabilizeRecommendation(history, input);
  const ableToScale = stabilized !== input.desiredReplicas ? scaleDownStabilized : readyForNewScale;
  const limit = convertDesiredReplicasWithRules(input.currentReplicas, stabilized, input.minReplicas, input.maxReplicas);
  return { replicas: limit[0], ableToScale, scalingLimited: limited(stabilized, limit) };
}

// ---- with behavior ----

interface Rules {
  stabilizationWindowSeconds: number;
  selectPolicy: string;
  policies: { type: string; value: number; periodSeconds: number }[];
}

/** The rules with upstream's defaults filled in where the object leaves them out. */
export function scalingRules(rules: HPAScalingRules | undefined, up: boolean, downscaleStabilizationMs: number): Rules {
  const policies = rules?.policies?.length
    ? rules.policies.map((p) => ({ type: p.type, value: p.value, periodSeconds: p.periodSeconds }))
    : up
      ? [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }]
      : [{ type: 'Percent', value: 100, periodSeconds: 15 }];
  return {
    stabilizationWindowSeconds: rules?.stabilizationWindowSeconds ?? (up ? 0 : Math.floor(downscaleStabilizationMs / 1000)),
    selectPolicy: rules?.selectPolicy ?? 'Max',
    policies,
  };
}

/** Replicas changed by the events of the last period. */
function changeInPeriod(events: readonly ScaleEvent[], periodSeconds: number, now: number): number {
  const cutoff = now - periodSeconds * 1000;
  return events.reduce((sum, e) => (e.at > cutoff ? sum + e.change : sum), 0);
}

interface RateInput {
  current: number;
  upEvents: readonly ScaleEvent[];
  downEvents: readonly ScaleEvent[];
  now: number;
}

/** The most replicas the policies allow now (Max: the most generous policy; Min: the strictest). */
export function scaleUpLimitWithRules(r: RateInput, rules: Rules): number {
  if (rules.selectPolicy === 'Disabled') return r.current;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? Infinity : -Infinity;
  for (const p of rules.policies) {
    const periodStart = r.current - changeInPeriod(r.upEvents, p.periodSeconds, r.now) + changeInPeriod(r.downEvents, p.periodSeconds, r.now);
    // rounded up, or a small target could never grow by a percentage
    const proposed = p.type === 'Pods' ? periodStart + p.value : Math.ceil(periodStart * (1 + p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** The fewest replicas the policies allow now (Max: the biggest drop; Min: the smallest). */
export function scaleDownLimitWithRules(r: RateInput, rules: Rules): number {
  if (rules.selectPolicy === 'Disabled') return r.current;
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? -Infinity : Infinity;
  for (const p of rules.policies) {
    const periodStart = r.current - changeInPeriod(r.upEvents, p.periodSeconds, r.now) + changeInPeriod(r.downEvents, p.periodSeconds, r.now);
    const proposed = p.type === 'Pods' ? periodStart - p.value : Math.trunc(periodStart * (1 - p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** Stabilised between the lowest recommendation of the up window and the highest of the down one. */
function stabilizeWithBehaviors(history: ScalingHistory, input: NormalizeInput, up: Rules, down: Rules): [number, Condition] {
  const upCutoff = input.now - up.stabilizationWindowSeconds * 1000;
  const downCutoff = input.now - down.stabilizationWindowSeconds * 1000;
  let upRecommendation = input.desiredReplicas;
  let downRecommendation = input.desiredReplicas;
  let oldIndex: number | undefined;
  (history.recommendations.get(input.key) ?? []).forEach((rec, i) => {
    if (rec.at > upCutoff) upRecommendation = Math.min(rec.replicas, upRecommendation);
    if (rec.at > downCutoff) downRecommendation = Math.max(rec.replicas, downRecommendation);
    if (rec.at < upCutoff && rec.at < downCutoff) oldIndex = i;
  });
  const recommendation = Math.min(Math.max(input.currentReplicas, upRecommendation), downRecommendation);
  history.recordRecommendation(input.key, input.desiredReplicas, input.now, oldIndex);
  return [recommendation, input.desiredReplicas >= input.currentReplicas ? scaleUpStabilized : scaleDownStabilized];
}

function convertWithBehaviorRate(history: ScalingHistory, input: NormalizeInput, desired: number, up: Rules, down: Rules): Limit {
  const r: RateInput = { current: input.currentReplicas, upEvents: history.scaleUpEvents.get(input.key) ?? [], downEvents: history.scaleDownEvents.get(input.key) ?? [], now: input.now };
  if (desired > r.current) {
    // never below the current count, until old scale events age out
    const cap = Math.max(scaleUpLimitWithRules(r, up), r.current);
    const [maxAllowed, [reason, message]] = input.maxReplicas > cap ? [cap, upLimit] : [input.maxReplicas, tooMany];
    if (desired > maxAllowed) return [maxAllowed, reason, message];
  } else if (desired < r.current) {
    const floor = Math.min(scaleDownLimitWithRules(r, down), r.current);
    const [minAllowed, [reason, message]] = input.minReplicas < floor ? [floor, downLimit] : [input.minReplicas, tooFew];
    if (desired < minAllowed) return [minAllowed, reason, message];
  }
  return withinRange(desired);
}

export function normalizeDesiredReplicasWithBehaviors(history: ScalingHistory, input: NormalizeInput, behavior: HorizontalPodAutoscalerBehavior): Normalized {
  const up = scalingRules(behavior.scaleUp, true, input.downscaleStabilizationMs);
  const down = scalingRules(behavior.scaleDown, false, input.downscaleStabilizationMs);
  const [stabilized, stabilizedCondition] = stabilizeWithBehaviors(history, input, up, down);
  const ableToScale = stabilized !== input.desiredReplicas ? stabilizedCondition : readyForNewScale;
  const limit = convertWithBehaviorRate(history, input, stabilized, up, down);
  return { replicas: limit[0], ableToScale, scalingLimited: limited(stabilized, limit) };
}

/** Remembers a scale change for the policies' periods (only with behavior, as upstream). */
export function storeScaleEvent(history: ScalingHistory, behavior: HorizontalPodAutoscalerBehavior | undefined, key: string, prev: number, next: number, now: number, downscaleStabilizationMs: number): void {
  if (!behavior) return;
  const upward = next > prev;
  const rules = scalingRules(upward ? behavior.scaleUp : behavior.scaleDown, upward, downscaleStabilizationMs);
  const longestMs = Math.max(0, ...rules.policies.map((p) => p.periodSeconds)) * 1000;
  const map = upward ? history.scaleUpEvents : history.scaleDownEvents;
  const events = map.get(key) ?? [];
  let oldIndex: number | undefined;
  events.forEach((e, i) => {
    if (e.at < now - longestMs) e.outdated = true;
    if (e.outdated) oldIndex = i;
  });
  const event = { change: Math.abs(next - prev), at: now, outdated: false };
  if (oldIndex !== undefined) events[oldIndex] = event;
  else events.push(event);
  map.set(key, events);
}
