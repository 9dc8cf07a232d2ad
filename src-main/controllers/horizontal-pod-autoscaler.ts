// The HorizontalPodAutoscaler controller (autoscaling/v2, upstream's pkg/controller/podautoscaler):
// every sync period each HPA reads its target's scale and its pods' usage from the resource
// metrics API, and sets the replicas that bring the usage to the target. Like upstream, an HPA
// is looked at one sync period after any change to it (never at once), so a burst of status
// writes does not turn into a burst of syncs; the logic of one sync is in hpa/reconcile.ts.
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2';
import type { Pod } from 'kubernetes-types/core/v1';
import { isConflict, isNotFound } from '../client/api-error.ts';
import { involved } from '../client/event-recorder.ts';
import { objectKey, type Informer } from '../client/informer.ts';
import { gvr } from '../client/resources.ts';
import type { ControllerContext } from './context.ts';
import { ScalingHistory } from './hpa/history.ts';
import { reconcileAutoscaler, type AutoscalerDeps } from './hpa/reconcile.ts';
import type { PodSelector } from './hpa/selector.ts';
import { QueueController, type ReconcileResult } from './queue-controller.ts';

/** The same index (name and values) other controllers file pods under. */
const namespaceIndex = 'kubelab.dev/namespace';

/** --horizontal-pod-autoscaler-tolerance: a usage ratio this close to 1 changes nothing. */
const defaultTolerance = 0.1;

export class HorizontalPodAutoscalerController extends QueueController {
  private readonly hpas: Informer<HorizontalPodAutoscaler>;
  private readonly pods: Informer<Pod>;
  private readonly history = new ScalingHistory();
  private readonly selectors = new Map<string, PodSelector>();
  private readonly deps: AutoscalerDeps;

  constructor(ctx: ControllerContext) {
    super('horizontal-pod-autoscaler', ctx, 2);
    this.hpas = ctx.informers.informer<HorizontalPodAutoscaler>(gvr.horizontalPodAutoscalers);
    this.pods = ctx.informers.informer<Pod>(gvr.pods);
    this.pods.addIndex(namespaceIndex, (p) => [p.metadata?.namespace ?? '']);
    const later = (hpa: HorizontalPodAutoscaler): void => this.queue.addAfter(objectKey(hpa), ctx.config.hpaSyncPeriodMs);
    this.hpas.on('add', later).on('update', (_old, hpa) => later(hpa)).on('delete', (hpa) => this.forget(objectKey(hpa)));
    const recorder = ctx.recorder('horizontal-pod-autoscaler');
    this.deps = {
      client: ctx.client,
      resources: ctx.resources,
      history: this.history,
      selectors: this.selectors,
      podsInNamespace: (ns) => this.pods.byIndex(namespaceIndex, ns),
      event: (hpa, type, reason, message) => recorder.event(involved(hpa, 'HorizontalPodAutoscaler', gvr.horizontalPodAutoscalers), type, reason, message),
      downscaleStabilizationMs: ctx.config.hpaDownscaleStabilizationMs,
      tolerance: defaultTolerance,
    };
  }

  private forget(key: string): void {
    this.history.forget(key);
    this.selectors.delete(key);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const hpa = this.hpas.get(key);
    if (!hpa?.spec) {
      this.forget(key);
      return;
    }
    try {
      const problem = await reconcileAutoscaler(this.deps, hpa, key, this.ctx.clock.now());
      if (problem) this.ctx.log(`${this.name}: ${key}: ${problem}`);
    } catch (err) {
      // a conflict on the status, or the HPA deleted meanwhile: the next sync sees the news
      if (!isConflict(err) && !isNotFound(err)) this.ctx.log(`${this.name}: ${key}: ${(err as Error).message}`);
    }
    return { requeueAfterMs: this.ctx.config.hpaSyncPeriodMs };
  }
}
