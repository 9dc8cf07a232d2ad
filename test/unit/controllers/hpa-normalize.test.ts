// From proposal to replicas: the stabilisation windows and rate limits of upstream's
// normalizeDesiredReplicas (legacy rules) and normalizeDesiredReplicasWithBehaviors.
import { describe, expect, it } from 'vitest';
import type { HorizontalPodAutoscalerBehavior } from 'kubernetes-types/autoscaling/v2';
import { ScalingHistory } from '../../../src-main/controllers/hpa/history.ts';
import { convertDesiredReplicasWithRules, normalizeDesiredReplicas, normalizeDesiredReplicasWithBehaviors, scaleDownLimitWithRules, scaleUpLimitWithRules, scalingRules, storeScaleEvent, type NormalizeInput } from '../../../src-main/controllers/hpa/normalize.ts';
import { parseSelector, SelectorParseError } from '../../../src-main/controllers/hpa/selector.ts';
import { parseGoDuration } from '../../../src-main/util/go-duration.ts';

const t0 = Date.UTC(2026, 0, 1);
const window = 300_000;
const at = (s: number) => t0 + s * 1000;

function args(currentReplicas: number, desiredReplicas: number, now: number, min = 1, max = 10): NormalizeInput {
  return { key: 'ns/h', currentReplicas, desiredReplicas, minReplicas: min, maxReplicas: max, now, downscaleStabilizationMs: window };
}

describe('without behavior', () => {
  it('holds the highest recommendation of the last 5 minutes', () => {
    const h = new ScalingHistory();
    h.recordInitialRecommendation('ns/h', 6, at(0));
    const held = normalizeDesiredReplicas(h, args(6, 2, at(100)));
    expect(held.replicas).toBe(6);
    expect(held.ableToScale).toMatchObject({ reason: 'ScaleDownStabilized' });
    // at 300 s the first sample is not yet older than the window; after it, it is
    expect(normalizeDesiredReplicas(h, args(6, 2, at(300))).replicas).toBe(6);
    const down = normalizeDesiredReplicas(h, args(6, 2, at(301)));
    expect(down.replicas).toBe(2);
    expect(down.ableToScale).toMatchObject({ reason: 'ReadyForNewScale', message: 'recommended size matches current size' });
  });

  it('scales up at most to max(2 × current, 4), within min and max', () => {
    expect(convertDesiredReplicasWithRules(2, 10, 1, 10)).toEqual([4, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']);
    expect(convertDesiredReplicasWithRules(5, 12, 1, 8)).toEqual([8, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count']);
    expect(convertDesiredReplicasWithRules(3, 0, 1, 5)).toEqual([1, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count']);
    expect(convertDesiredReplicasWithRules(3, 4, 1, 5)).toEqual([4, 'DesiredWithinRange', 'the desired count is within the acceptable range']);
    const n = normalizeDesiredReplicas(new ScalingHistory(), args(2, 10, at(0)));
    expect(n.scalingLimited).toMatchObject({ type: 'ScalingLimited', status: 'True', reason: 'ScaleUpLimit' });
  });
});

describe('with behavior', () => {
  const rules = (b: HorizontalPodAutoscalerBehavior, up: boolean) => scalingRules(up ? b.scaleUp : b.scaleDown, up, window);
  const rate = (current: number) => ({ current, upEvents: [], downEvents: [], now: at(0) });

  it('defaults to the larger of 100% and 4 pods per 15 s up, 100% per 15 s down', () => {
    expect(scaleUpLimitWithRules(rate(2), rules({}, true))).toBe(6);
    expect(scaleUpLimitWithRules(rate(10), rules({}, true))).toBe(20);
    expect(scaleDownLimitWithRules(rate(10), rules({}, false))).toBe(0);
    expect(rules({}, false).stabilizationWindowSeconds).toBe(300);
  });

  it('picks the policy by selectPolicy: Max, Min or Disabled', () => {
    const policies = [{ type: 'Pods', value: 4, periodSeconds: 60 }, { type: 'Percent', value: 10, periodSeconds: 60 }];
    // 100 × (1 + 10/100) is 110.00000000000001 in float64, which upstream's math.Ceil makes 111
    expect(scaleUpLimitWithRules(rate(100), rules({ scaleUp: { policies, selectPolicy: 'Max' } }, true))).toBe(111);
    expect(scaleUpLimitWithRules(rate(100), rules({ scaleUp: { policies, selectPolicy: 'Min' } }, true))).toBe(104);
    expect(scaleUpLimitWithRules(rate(100), rules({ scaleUp: { policies, selectPolicy: 'Disabled' } }, true))).toBe(100);
    expect(scaleDownLimitWithRules(rate(100), rules({ scaleDown: { policies, selectPolicy: 'Max' } }, false))).toBe(90);
    expect(scaleDownLimitWithRules(rate(100), rules({ scaleDown: { policies, selectPolicy: 'Min' } }, false))).toBe(96);
    // percentages round up on the way up (so small counts can grow) and down on the way down
    expect(scaleUpLimitWithRules(rate(3), rules({ scaleUp: { policies: [{ type: 'Percent', value: 10, periodSeconds: 15 }] } }, true))).toBe(4);
    expect(scaleDownLimitWithRules(rate(3), rules({ scaleDown: { policies: [{ type: 'Percent', value: 10, periodSeconds: 15 }] } }, false))).toBe(2);
  });

  it('counts the changes of the policy period: one pod per 30 s', () => {
    const behavior: HorizontalPodAutoscalerBehavior = { scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 1, periodSeconds: 30 }] } };
    const h = new ScalingHistory();
    const first = normalizeDesiredReplicasWithBehaviors(h, args(6, 2, at(0)), behavior);
    expect(first.replicas).toBe(5);
    expect(first.scalingLimited).toMatchObject({ status: 'True', reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' });
    storeScaleEvent(h, behavior, 'ns/h', 6, 5, at(0), window);
    expect(normalizeDesiredReplicasWithBehaviors(h, args(5, 2, at(15)), behavior).replicas).toBe(5);
    expect(normalizeDesiredReplicasWithBehaviors(h, args(5, 2, at(30)), behavior).replicas).toBe(4);
  });

  it('stabilises up and down within their windows', () => {
    const behavior: HorizontalPodAutoscalerBehavior = { scaleUp: { stabilizationWindowSeconds: 60 }, scaleDown: { stabilizationWindowSeconds: 60 } };
    const h = new ScalingHistory();
    h.recordInitialRecommendation('ns/h', 3, at(0));
    const up = normalizeDesiredReplicasWithBehaviors(h, args(3, 8, at(10)), behavior);
    expect(up.replicas).toBe(3);
    expect(up.ableToScale).toMatchObject({ reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' });
    // at 61 s the initial 3 has left the window: the 8 of 10 s is the lowest left, and the
    // default scale-up policies then allow 3 + 4 at once
    const later = normalizeDesiredReplicasWithBehaviors(h, args(3, 9, at(61)), behavior);
    expect(later.replicas).toBe(7);
    expect(later.scalingLimited).toMatchObject({ status: 'True', reason: 'ScaleUpLimit' });
  });

  it('remembers scale events only with behavior, reusing outdated slots', () => {
    const h = new ScalingHistory();
    storeScaleEvent(h, undefined, 'k', 1, 5, at(0), window);
    expect(h.scaleUpEvents.size).toBe(0);
    storeScaleEvent(h, {}, 'k', 1, 5, at(0), window);
    storeScaleEvent(h, {}, 'k', 5, 7, at(100), window);
    expect(h.scaleUpEvents.get('k')).toEqual([{ change: 2, at: at(100), outdated: false }]);
  });
});

describe('scale selector strings', () => {
  it('match labels as labels.Parse', () => {
    const s = parseSelector('app=web,tier in (a, b),!legacy,env!=prod,track');
    expect(s({ app: 'web', tier: 'a', track: '' })).toBe(true);
    expect(s({ app: 'web', tier: 'c', track: '' })).toBe(false);
    expect(s({ app: 'web', tier: 'a', track: '', legacy: 'x' })).toBe(false);
    expect(s({ app: 'web', tier: 'b', env: 'prod', track: '' })).toBe(false);
    expect(s({ app: 'web', tier: 'b' })).toBe(false);
    expect(parseSelector('')({})).toBe(true);
    expect(parseSelector('a notin (x)')({})).toBe(true);
    expect(() => parseSelector('a=b c')).toThrow(SelectorParseError);
  });

  it('windows parse as Go durations', () => {
    expect(parseGoDuration('15s')).toBe(15_000);
    expect(parseGoDuration('1m30.5s')).toBe(90_500);
    expect(parseGoDuration('250ms')).toBe(250);
    expect(parseGoDuration('x')).toBeNaN();
  });
});
