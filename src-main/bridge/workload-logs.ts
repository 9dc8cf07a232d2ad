// The logs of every pod a selector picks, merged live, one colour per pod (what stern does and the
// app's workload logs view shows): a watch of the pods, one follow stream per running container,
// opened as pods start and closed as they go. Lines carry their pod, container, colour and the
// server's timestamp, so the view can keep them in time order across pods.
import type { Pod } from 'kubernetes-types/core/v1';
import type { KubeClient } from '../client/kube-client.ts';
import { gvr } from '../client/resources.ts';
import type { StreamHandle } from '../client/transport.ts';
import type { WatchHandle } from '../client/types.ts';

export interface WorkloadLogLine {
  pod: string;
  container: string;
  /** 0..colours-1, stable for a pod for as long as it is followed. */
  colour: number;
  /** RFC 3339 with nanoseconds, as the kubelet writes it. */
  time: string;
  text: string;
}

export interface WorkloadLogsOptions {
  namespace: string;
  /** A label selector, e.g. app=web (a Deployment's or Job's selector). */
  labelSelector: string;
  /** Lines from before the follow began (default 10 per container, as stern). */
  tailLines?: number;
  colours?: number;
  onLine: (line: WorkloadLogLine) => void;
  onError?: (message: string) => void;
}

export class WorkloadLogs {
  private readonly streams = new Map<string, StreamHandle>();
  private readonly colours = new Map<string, number>();
  private nextColour = 0;
  private watch?: WatchHandle;
  private stopped = false;

  constructor(private readonly client: KubeClient, private readonly opts: WorkloadLogsOptions) {}

  async start(): Promise<void> {
    const list = await this.client.list<Pod>(gvr.pods, { namespace: this.opts.namespace, labelSelector: this.opts.labelSelector });
    for (const p of list.items) this.reconcile(p);
    this.watch = this.client.watch<Pod>(gvr.pods, { namespace: this.opts.namespace, labelSelector: this.opts.labelSelector, resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true }, (e) => {
      if (e.type === 'DELETED') this.forget(e.object);
      else if (e.type === 'ADDED' || e.type === 'MODIFIED') this.reconcile(e.object);
    }, (err) => {
      if (err && !this.stopped) this.opts.onError?.(`the pods' watch ended: ${err.message}`);
    });
  }

  stop(): void {
    this.stopped = true;
    this.watch?.stop();
    for (const s of this.streams.values()) s.abort();
    this.streams.clear();
  }

  /** Follows each container that runs and is not followed yet. */
  private reconcile(pod: Pod): void {
    const name = pod.metadata!.name!;
    for (const c of pod.status?.containerStatuses ?? []) {
      const key = `${name}/${c.name}`;
      if (c.state?.running && !this.streams.has(key)) this.follow(name, c.name, key);
    }
  }

  private forget(pod: Pod): void {
    const name = pod.metadata!.name!;
    for (const [key, s] of this.streams) if (key.startsWith(`${name}/`)) { s.abort(); this.streams.delete(key); }
    this.colours.delete(name);
  }

  private colourOf(pod: string): number {
    let c = this.colours.get(pod);
    if (c === undefined) this.colours.set(pod, (c = this.nextColour++ % (this.opts.colours ?? 8)));
    return c;
  }

  private follow(pod: string, container: string, key: string): void {
    const handle = this.client.followLog(this.opts.namespace, pod, { container, timestamps: true, tailLines: this.opts.tailLines ?? 10 });
    this.streams.set(key, handle);
    const colour = this.colourOf(pod);
    handle.response.then((res) => {
      if (res.statusCode !== 200) {
        this.opts.onError?.(`${pod}/${container}: logs answered HTTP ${res.statusCode}`);
        res.resume();
        this.streams.delete(key);
        return;
      }
      let rest = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        for (const l of lines) {
          const space = l.indexOf(' ');
          this.opts.onLine({ pod, container, colour, time: l.slice(0, space), text: l.slice(space + 1) });
        }
      });
      // The container ended (or restarts): the next status that says it runs follows it again.
      res.on('end', () => { if (this.streams.get(key) === handle) this.streams.delete(key); });
      res.on('error', () => undefined);
    }, (e: Error) => {
      if (!this.stopped) this.opts.onError?.(`${pod}/${container}: ${e.message}`);
      this.streams.delete(key);
    });
  }
}
