// Per-request bookkeeping of cluster IPs and node ports: a kind's strategy takes values from the
// shared allocators; when the request then fails (validation, a conflict) or is a dry run, exactly
// the values this request took go back, and nothing another object holds is ever freed. Values
// the old object held and the new one gives up are only freed once the write has committed.
import type { Allocator, StrategyContext } from '../resources/types.ts';

class RecordingAllocator implements Allocator {
  readonly taken = new Set<string>();
  private readonly released = new Set<string>();

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
    if (this.taken.delete(value)) this.inner.release(value);
    else this.released.add(value);
  }

  commit(): void {
    for (const v of this.released) this.inner.release(v);
    this.released.clear();
    this.taken.clear();
  }

  contains(value: string): boolean {
    return this.inner.contains(value);
  }

  rollback(): void {
    for (const v of this.taken) this.inner.release(v);
    this.taken.clear();
    this.released.clear();
  }
}

export interface RecordedStrategyContext extends StrategyContext {
  /** Gives back what this request took, and keeps what it meant to free. */
  rollback(): void;
  /** The write is stored: frees what the old object held and the new one does not. */
  commit(): void;
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
    commit() {
      clusterIP.commit();
      nodePort.commit();
    },
  };
}
