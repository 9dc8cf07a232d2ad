// What the EndpointSlice controller wrote and has not yet seen come back through its informer
// (upstream's EndpointSliceTracker). Until the cache shows a service's slices as this controller
// left them, reconciling that service would work from a stale view — and, say, create a second
// slice for endpoints a first one already holds — so the service waits. Its own writes, once
// seen, do not wake it again.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';

type Expected = { resourceVersion: number } | { deleted: true };

function rv(slice: EndpointSlice): number {
  const n = Number(slice.metadata?.resourceVersion);
  return Number.isFinite(n) ? n : 0;
}

export class SliceTracker {
  /** service key → slice name → what the cache should show. */
  private readonly expected = new Map<string, Map<string, Expected>>();

  wrote(serviceKey: string, slice: EndpointSlice): void {
    this.slot(serviceKey).set(slice.metadata!.name!, { resourceVersion: rv(slice) });
  }

  deleted(serviceKey: string, slice: EndpointSlice): void {
    this.slot(serviceKey).set(slice.metadata!.name!, { deleted: true });
  }

  /**
   * An informer event for a slice of the service. True when it only shows this controller's own
   * write (nothing to do); false when someone else changed the slice (reconcile the service).
   */
  observed(serviceKey: string, slice: EndpointSlice, gone: boolean): boolean {
    const slot = this.expected.get(serviceKey);
    const name = slice.metadata?.name ?? '';
    const want = slot?.get(name);
    if (!slot || !want) return false;
    if (gone) {
      slot.delete(name);
      this.tidy(serviceKey);
      return 'deleted' in want;
    }
    if ('deleted' in want || rv(slice) < want.resourceVersion) return false;
    slot.delete(name);
    this.tidy(serviceKey);
    return rv(slice) === want.resourceVersion;
  }

  /** Whether the cache still lags behind this controller's writes for the service. */
  stale(serviceKey: string, cached: (name: string) => EndpointSlice | undefined): boolean {
    const slot = this.expected.get(serviceKey);
    if (!slot) return false;
    for (const [name, want] of slot) {
      const have = cached(name);
      const caughtUp = 'deleted' in want ? !have : !!have && rv(have) >= want.resourceVersion;
      if (caughtUp) slot.delete(name);
      else return true;
    }
    this.tidy(serviceKey);
    return false;
  }

  forget(serviceKey: string): void {
    this.expected.delete(serviceKey);
  }

  private slot(serviceKey: string): Map<string, Expected> {
    let s = this.expected.get(serviceKey);
    if (!s) this.expected.set(serviceKey, (s = new Map()));
    return s;
  }

  private tidy(serviceKey: string): void {
    if (this.expected.get(serviceKey)?.size === 0) this.expected.delete(serviceKey);
  }
}
