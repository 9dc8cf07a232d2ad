// Per-request bookkeeping of cluster IPs and node ports: a kind's strategy takes values from the
// shared allocators; when the request then fails (validation, a conflict) or is a dry run, exactly
// the values this request took go back, and nothing another object holds is ever freed.
import type { Allocator, StrategyContext } from '../resources/types.ts';

class RecordingAllocator implements Allocator {
  readonly taken = new Set<string>();

  constructor(private readonly inner: Allocator) {}

  get range(): string {
    return this.inner.range;
  }

  reserve(value: string): boolean {
    const ok = this.inner.reserve(value);
    if (ok) this.taken.add(value);
    return ok;
  }

  allocateNext(): string | undefined {
    const v = this.inner.allocateNext();
    if (v !== undefined) this.taken.add(v);
    return v;
  }

  release(value: string): void {
    this.taken.delete(value);
    this.inner.release(value);
  }

  contains(value: string): boolean {
    return this.inner.contains(value);
  }

  rollback(): void {
    for (const v of this.taken) this.inner.release(v);
    this.taken.clear();
  }
}

export interface RecordedStrategyContext extends StrategyContext {
  /** Gives back what this request took. */
  rollback(): void;
}

export function recordingContext(allocators: StrategyContext['allocators'], dryRun: boolean, subresource?: string): RecordedStrategyContext {
  const clusterIP = new RecordingAllocator(allocators.clusterIP);
  const nodePort = new RecordingAllocator(allocators.nodePort);
  return {
    allocators: { clusterIP, nodePort },
    dryRun,
    subresource,
    rollback() {
      clusterIP.rollback();
      nodePort.rollback();
    },
  };
}
