// The nodes' usage over time, as the main side samples it (usageHistory): its last hour at once,
// then a sample every 15 s. A view starts it while shown and stops it when left.
import type { UsageMessage, UsageSample } from '../../src-main/bridge/api/nodes.ts';
import type { ClusterState } from './cluster.svelte.ts';
import type { OpenStream } from './streams.ts';

export class UsageHistory {
  samples = $state.raw<UsageSample[]>([]);
  error = $state<string | undefined>();
  readonly #cluster: ClusterState;
  #stream: OpenStream | undefined;
  #stopped = false;

  constructor(cluster: ClusterState) {
    this.#cluster = cluster;
  }

  /** The newest sample, when any. */
  get latest(): UsageSample | undefined {
    return this.samples.at(-1);
  }

  /** Usage of one node in the newest sample that has metrics. */
  nodeUsage(name: string): { cpu: number; memory: number } | undefined {
    const s = this.latest;
    return s?.available ? s.nodes.find((n) => n.name === name) : undefined;
  }

  async start(): Promise<void> {
    this.#stopped = false;
    try {
      const stream = await this.#cluster.streams.open<UsageMessage>('usageHistory', {}, {
        message: (m) => {
          if (m.type === 'history') this.samples = m.samples;
          else this.samples = [...this.samples.filter((s) => s.time > m.sample.time - 60 * 60_000), m.sample];
        },
        end: (error) => {
          this.#stream = undefined;
          if (error) this.error = error;
        },
      });
      if (this.#stopped) stream.close();
      else this.#stream = stream;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#stream?.close();
    this.#stream = undefined;
  }
}
