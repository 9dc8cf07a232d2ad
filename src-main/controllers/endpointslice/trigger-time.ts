// The endpoints.kubernetes.io/last-change-trigger-time annotation (upstream's
// TriggerTimeTracker): the earliest time of a change that this sync is the first to reflect —
// a pod's Ready transition or the service's creation — so that a watcher (kube-proxy, SLO
// measurements) can tell how long a change took to reach the endpoints. Nothing new: no time.
import type { Pod, Service } from 'kubernetes-types/core/v1';
import { podReadyCondition } from '../pod-state.ts';

export const lastChangeTriggerTime = 'endpoints.kubernetes.io/last-change-trigger-time';

interface ServiceState {
  pods: Map<string, number>;
  service: number;
}

function parseTime(t: string | undefined): number {
  const ms = t ? Date.parse(t) : NaN;
  return Number.isFinite(ms) ? ms : 0;
}

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /**
   * The trigger time for this sync (0 when none). commit() remembers what the sync has seen:
   * call it once the sync wrote its change (or had none to write), so that a write that failed
   * is stamped again when retried.
   */
  compute(key: string, svc: Service, pods: readonly Pod[]): { time: number; commit: () => void } {
    const state = this.states.get(key);
    const next: ServiceState = { pods: new Map(), service: parseTime(svc.metadata?.creationTimestamp) };
    let min = 0;
    const consider = (t: number): void => {
      if (min === 0 || t < min) min = t;
    };
    for (const pod of pods) {
      const t = parseTime(podReadyCondition(pod)?.lastTransitionTime);
      if (t === 0) continue;
      const name = pod.metadata?.name ?? '';
      next.pods.set(name, t);
      if (t > (state?.pods.get(name) ?? 0)) consider(t);
    }
    if (next.service > (state?.service ?? 0)) consider(next.service);
    // A service seen for the first time: its creation is what triggered this sync.
    return { time: state ? min : next.service, commit: () => this.states.set(key, next) };
  }

  forget(key: string): void {
    this.states.delete(key);
  }
}
