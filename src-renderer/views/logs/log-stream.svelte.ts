// One open log stream feeding a bounded buffer: a pod's container or a selector's pods merged.
// Batches from the main side are queued and appended once per animation frame, so a container
// writing thousands of lines a second costs one redraw a frame, not one per message.
import type { PodLogBatch, WorkloadLogBatch } from '../../../src-main/bridge/api/logs.ts';
import type { ClusterState } from '../../lib/cluster.svelte.ts';
import { LogBuffer, normalTime, parseStamped, type LogLine } from '../../lib/log-buffer.ts';
import type { OpenStream } from '../../lib/streams.ts';

export type LogSource =
  | { type: 'pod'; namespace: string; pod: string; container?: string; previous: boolean; follow: boolean; tailLines?: number }
  | { type: 'workload'; namespace: string; labelSelector: string; tailLines?: number };

const nextFrame: (fn: () => void) => unknown = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : (fn) => setTimeout(fn, 16);

export class LogStream {
  readonly source: LogSource;
  readonly buffer = new LogBuffer();
  /** The buffer's version once drawn: views depend on it to redraw. */
  version = $state(0);
  state = $state<'opening' | 'live' | 'ended' | 'failed'>('opening');
  /** Why it failed or was cut (the server's words). */
  error = $state<string | undefined>();
  /** Problems with single pods of a workload (a container's logs refused), newest last. */
  warnings = $state<string[]>([]);
  /** Merged logs: each pod seen so far and its colour, for the legend. */
  pods = $state.raw(new Map<string, number>());
  #pending: LogLine[] = [];
  #scheduled = false;
  #stream: OpenStream | undefined;
  #closed = false;
  readonly #cluster: ClusterState;

  constructor(cluster: ClusterState, source: LogSource) {
    this.#cluster = cluster;
    this.source = source;
  }

  async start(): Promise<void> {
    const end = (error?: string) => {
      this.#flush();
      this.state = error ? 'failed' : 'ended';
      this.error = error;
    };
    try {
      const s = this.source;
      const stream = s.type === 'pod'
        ? await this.#cluster.streams.open<PodLogBatch>('podLogs', { namespace: s.namespace, pod: s.pod, container: s.container, previous: s.previous || undefined, follow: s.follow, tailLines: s.tailLines, timestamps: true }, {
          message: (m) => this.#queue(m.lines.map(parseStamped)),
          end,
        })
        : await this.#cluster.streams.open<WorkloadLogBatch>('workloadLogs', { namespace: s.namespace, labelSelector: s.labelSelector, tailLines: s.tailLines }, {
          message: (m) => {
            this.#queue(m.lines.map((l) => ({ ...l, time: normalTime(l.time) })));
            this.#notePods(m.lines);
            if (m.errors?.length) this.warnings = [...this.warnings, ...m.errors].slice(-20);
          },
          end,
        });
      if (this.#closed) return stream.close();
      this.#stream = stream;
      if (this.state === 'opening') this.state = 'live';
    } catch (err) {
      if (!this.#closed) end((err as Error)?.message ?? String(err));
    }
  }

  close(): void {
    this.#closed = true;
    this.#stream?.close();
  }

  clear(): void {
    this.#pending = [];
    this.buffer.clear();
    this.version = this.buffer.version;
  }

  #notePods(lines: readonly { pod: string; colour: number }[]): void {
    let next: Map<string, number> | undefined;
    for (const l of lines) if (this.pods.get(l.pod) !== l.colour && next?.get(l.pod) !== l.colour) (next ??= new Map(this.pods)).set(l.pod, l.colour);
    if (next) this.pods = next;
  }

  #queue(lines: LogLine[]): void {
    for (const l of lines) this.#pending.push(l);
    // A hidden window draws no frames: keep only what the buffer would keep anyway.
    const excess = this.#pending.length - this.buffer.capacity;
    if (excess > 0) {
      this.#pending.splice(0, excess);
      this.buffer.dropped += excess;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    nextFrame(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const lines = this.#pending;
    this.#pending = [];
    this.buffer.append(lines, this.source.type === 'workload');
    this.version = this.buffer.version;
  }
}
