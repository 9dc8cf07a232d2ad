// The eviction manager (pkg/kubelet/eviction): every 10 s it observes the node's signals against
// the hard thresholds; when one is met it first reclaims what the node itself can (unused images,
// for disk), and if the threshold still holds evicts one pod — ranked for the starved resource —
// at once (grace period 0). The pod ends Failed with reason Evicted and an event says why; the
// next pass waits for it to be gone, so one pass never evicts two pods. The pressure a pass finds
// is what new pods are admitted against (admission.ts).
import type { Pod } from 'kubernetes-types/core/v1';
import type { ImageGC } from '../../images/image-gc.ts';
import type { MachinePressure } from '../machine.ts';
import type { StatsProvider } from '../../stats/stats-provider.ts';
import { evictionMessage, rank, type Candidate } from './ranking.ts';
import { admissionRejection, SYSTEM_CRITICAL_PRIORITY } from './admission.ts';
import { conditionOf, observe, thresholdsMet, type PressureCondition, type Signal, type Threshold } from './thresholds.ts';

export interface EvictionDeps {
  /** --eviction-hard; the manager's `thresholds` can be changed while the node runs. */
  thresholds: readonly Threshold[];
  pressure: () => MachinePressure;
  stats: StatsProvider;
  /** Pods the kubelet may evict: running on the node and not finished. */
  activePods: () => Pod[];
  imageGC?: ImageGC;
  /** Whether the image store shares the state dir's file system (then nodefs reclaims images too). */
  imagesOnNodefs: boolean;
  /** Kills the pod now and sets its status Failed/Evicted with the message (killPodFunc). */
  evict: (pod: Pod, message: string) => Promise<void>;
  event: (pod: Pod, type: 'Warning', reason: string, message: string) => void;
  periodMs?: number;
  log?: (line: string) => void;
}

// Memory first, as upstream's byEvictionPriority: it cannot wait for a disk to be cleaned.
const signalOrder: Signal[] = ['memory.available', 'nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree', 'pid.available'];

export class EvictionManager {
  private timer?: NodeJS.Timeout;
  private pass?: Promise<Pod | undefined>;
  /** Read at every pass (tests set thresholds that fire). */
  thresholds: readonly Threshold[];
  /** The pressure the last pass found, which new pods are admitted against. */
  conditions: ReadonlySet<PressureCondition> = new Set();

  constructor(private readonly deps: EvictionDeps) {
    this.thresholds = deps.thresholds;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.synchronize().catch((e) => this.deps.log?.(`eviction manager: ${(e as Error).message}`)), this.deps.periodMs ?? 10_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass (passes never overlap); returns the pod it evicted, if any. */
  synchronize(): Promise<Pod | undefined> {
    this.pass ??= this.run().finally(() => (this.pass = undefined));
    return this.pass;
  }

  private async run(): Promise<Pod | undefined> {
    const { thresholds } = this;
    let met = thresholdsMet(thresholds, observe(this.deps.pressure()));
    this.conditions = new Set(met.map((t) => conditionOf[t.signal]));
    if (met.length === 0) return undefined;
    const starved = [...met].sort((a, b) => signalOrder.indexOf(a.signal) - signalOrder.indexOf(b.signal))[0];
    this.deps.log?.(`eviction manager: attempting to reclaim ${starved.signal}`);
    if (await this.reclaimNodeLevel(starved.signal)) {
      met = thresholdsMet(thresholds, observe(this.deps.pressure()));
      if (!met.some((t) => t.signal === starved.signal)) {
        this.deps.log?.(`eviction manager: able to reduce ${starved.signal} pressure without evicting pods`);
        return undefined;
      }
    }
    const { summary } = await this.deps.stats.reading();
    const byUid = new Map(summary.pods.map((p) => [p.podRef.uid, p]));
    const candidates: Candidate[] = this.deps.activePods()
      .filter((pod) => (pod.spec?.priority ?? 0) < SYSTEM_CRITICAL_PRIORITY)
      .flatMap((pod) => {
        const stats = byUid.get(pod.metadata!.uid!);
        return stats ? [{ pod, stats }] : [];
      });
    const victim = rank(starved.signal, candidates)[0];
    if (!victim) {
      this.deps.log?.('eviction manager: unable to evict any pods from the node');
      return undefined;
    }
    const observed = observe(this.deps.pressure())[starved.signal];
    const { message } = evictionMessage(starved, observed, victim);
    this.deps.event(victim.pod, 'Warning', 'Evicted', message);
    await this.deps.evict(victim.pod, message);
    this.deps.log?.(`eviction manager: pod ${victim.pod.metadata?.namespace}/${victim.pod.metadata?.name} is evicted`);
    return victim.pod;
  }

  /** Why a new pod may not start now, or undefined (the kubelet's admit handler). */
  admit(pod: Pod): string | undefined {
    return admissionRejection(pod, this.conditions);
  }

  /** Disk: delete unused images (containers of finished pods are removed with their pods already). */
  private async reclaimNodeLevel(signal: Signal): Promise<boolean> {
    const gc = this.deps.imageGC;
    const disk = signal.startsWith('imagefs.') || (signal.startsWith('nodefs.') && this.deps.imagesOnNodefs);
    if (!gc || !disk) return false;
    await gc.deleteUnusedImages().catch((e) => this.deps.log?.(`eviction manager: image gc: ${(e as Error).message}`));
    return true;
  }
}
