// What an HPA controller remembers between syncs, in memory as upstream does: the recent
// recommendations (for the stabilisation windows) and the recent scale changes (for the
// behavior policies' "so many pods per period"). A restarted controller starts afresh, from the
// target's current size.

export interface Recommendation {
  replicas: number;
  at: number;
}

export interface ScaleEvent {
  /** How many replicas the change added (scale up) or removed (scale down), > 0. */
  change: number;
  at: number;
  /** Older than the longest policy period: its slot may be reused. */
  outdated: boolean;
}

export class ScalingHistory {
  readonly recommendations = new Map<string, Recommendation[]>();
  readonly scaleUpEvents = new Map<string, ScaleEvent[]>();
  readonly scaleDownEvents = new Map<string, ScaleEvent[]>();

  /** The first sync of an HPA: its target's current size is the first recommendation. */
  recordInitialRecommendation(key: string, currentReplicas: number, now: number): void {
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ replicas: currentReplicas, at: now }]);
  }

  /** Records a recommendation, in the slot of an outdated one if there is one. */
  recordRecommendation(key: string, replicas: number, now: number, oldIndex: number | undefined): void {
    const list = this.recommendations.get(key) ?? [];
    const rec = { replicas, at: now };
    if (oldIndex !== undefined) list[oldIndex] = rec;
    else list.push(rec);
    this.recommendations.set(key, list);
  }

  forget(key: string): void {
    this.recommendations.delete(key);
    this.scaleUpEvents.delete(key);
    this.scaleDownEvents.delete(key);
  }
}
