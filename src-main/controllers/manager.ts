// The controller manager: one shared informer factory, one context, every controller of
// controllers/index.ts (and the scheduler, which control-plane.ts adds) started on it. As in
// kube-controller-manager, controllers are constructed first (they ask for their informers and
// attach handlers), then the informers sync, then the workers run.
import { EventRecorder } from '../client/event-recorder.ts';
import { discoverResources } from '../client/discovery.ts';
import { SharedInformerFactory } from '../client/informer-factory.ts';
import type { KubeClient } from '../client/kube-client.ts';
import { realClock, type Clock } from '../util/clock.ts';
import { defaultControllerConfig, type Controller, type ControllerConfig, type ControllerContext } from './context.ts';

export type ControllerFactory = (ctx: ControllerContext) => Controller;

export interface ControllerManagerOptions {
  client: KubeClient;
  factories: readonly ControllerFactory[];
  clock?: Clock;
  config?: Partial<ControllerConfig>;
  log?: (line: string) => void;
}

export class ControllerManager {
  private readonly controllers: Controller[] = [];
  private informers?: SharedInformerFactory;
  private readonly recorders = new Map<string, EventRecorder>();

  constructor(private readonly opts: ControllerManagerOptions) {}

  async start(): Promise<void> {
    const { client } = this.opts;
    const config = { ...defaultControllerConfig, ...this.opts.config };
    const clock = this.opts.clock ?? realClock;
    const informers = new SharedInformerFactory(client, config.resyncMs);
    this.informers = informers;
    const ctx: ControllerContext = {
      client,
      informers,
      clock,
      config,
      resources: await discoverResources(client),
      recorder: (component) => {
        let r = this.recorders.get(component);
        if (!r) this.recorders.set(component, (r = new EventRecorder(client, { component, clock })));
        return r;
      },
      log: this.opts.log ?? ((line) => process.stderr.write(`${line}\n`)),
    };
    for (const make of this.opts.factories) this.controllers.push(make(ctx));
    await informers.start();
    for (const c of this.controllers) await c.start();
  }

  /** Waits until every event recorded so far is written (tests). */
  async flushEvents(): Promise<void> {
    await Promise.all([...this.recorders.values()].map((r) => r.flush()));
  }

  stop(): void {
    for (const c of this.controllers) c.stop();
    this.informers?.stop();
  }
}
