// Range allocators for values that must be unique across Services: cluster IPs from the service
// CIDR and node ports from the node-port range. Pure in-memory; the API server builds them at
// start and reserves what stored services already hold, as kube-apiserver's repair loop does.
import type { Allocator } from './resources/types.ts';

/**
 * A set of free offsets 0..size-1 with O(1) take, take-specific and give-back: the free offsets
 * sit in a dense array, and a position index lets a specific offset be swap-removed.
 */
class OffsetPool {
  private readonly free: Uint32Array;
  private readonly position: Int32Array;
  private freeCount: number;

  constructor(readonly size: number) {
    this.free = new Uint32Array(size);
    this.position = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      this.free[i] = i;
      this.position[i] = i;
    }
    this.freeCount = size;
  }

  get available(): number {
    return this.freeCount;
  }

  isFree(offset: number): boolean {
    return this.position[offset] >= 0;
  }

  take(offset: number): boolean {
    const at = this.position[offset];
    if (at < 0) return false;
    const last = this.free[this.freeCount - 1];
    this.free[at] = last;
    this.position[last] = at;
    this.position[offset] = -1;
    this.freeCount--;
    return true;
  }

  /** A random free offset, taken; undefined when none is left. Random as upstream, so a value
   * just released is unlikely to be handed out again at once. */
  takeAny(): number | undefined {
    if (this.freeCount === 0) return undefined;
    const offset = this.free[Math.floor(Math.random() * this.freeCount)];
    this.take(offset);
    return offset;
  }

  give(offset: number): void {
    if (this.position[offset] >= 0) return;
    this.free[this.freeCount] = offset;
    this.position[offset] = this.freeCount;
    this.freeCount++;
  }
}

/** Parses dotted IPv4 to an unsigned 32-bit number; undefined when it is not one. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Upper bound on a range we keep tables for (a /12, the largest service CIDR upstream allows). */
const maxRangeSize = 1 << 20;

/**
 * Cluster IPs from an IPv4 CIDR. The network and broadcast addresses are never handed out, and
 * the first usable address belongs to the `kubernetes` service: allocateNext() skips it, only
 * reserve() can take it.
 */
export class IPRangeAllocator implements Allocator {
  readonly range: string;
  private readonly base: number;
  private readonly pool: OffsetPool;
  // The first address stays out of the pool (taken at construction); this flag says whether a
  // reserve() holds it.
  private firstTaken = false;

  constructor(cidr: string) {
    const [ip, bits] = cidr.split('/');
    const prefix = Number(bits);
    const addr = parseIPv4(ip ?? '');
    if (addr === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 30) throw new Error(`invalid service CIDR ${cidr}`);
    const total = 2 ** (32 - prefix);
    if (total - 2 > maxRangeSize) throw new Error(`service CIDR ${cidr} is too large`);
    this.base = Math.floor(addr / total) * total;
    this.range = `${formatIPv4(this.base)}/${prefix}`;
    // Offsets count usable addresses: offset 0 is network+1.
    this.pool = new OffsetPool(total - 2);
    this.pool.take(0);
  }

  /** The address the `kubernetes` service gets: the first usable one. */
  get firstAddress(): string {
    return formatIPv4(this.base + 1);
  }

  private offsetOf(value: string): number | undefined {
    const n = parseIPv4(value);
    if (n === undefined) return undefined;
    const offset = n - this.base - 1;
    return offset >= 0 && offset < this.pool.size ? offset : undefined;
  }

  contains(value: string): boolean {
    return this.offsetOf(value) !== undefined;
  }

  reserve(value: string): boolean {
    const offset = this.offsetOf(value);
    if (offset === undefined) return false;
    if (offset === 0) return this.takeFirst();
    return this.pool.take(offset);
  }

  allocateNext(): string | undefined {
    const offset = this.pool.takeAny();
    return offset === undefined ? undefined : formatIPv4(this.base + 1 + offset);
  }

  release(value: string): void {
    const offset = this.offsetOf(value);
    if (offset === undefined) return;
    if (offset === 0) this.firstTaken = false;
    else this.pool.give(offset);
  }

  /** Free addresses allocateNext() can still hand out. */
  get free(): number {
    return this.pool.available;
  }

  private takeFirst(): boolean {
    if (this.firstTaken) return false;
    this.firstTaken = true;
    return true;
  }
}

/** Node ports from an inclusive range, 30000-32767 by default as upstream. */
export class PortRangeAllocator implements Allocator {
  readonly range: string;
  private readonly pool: OffsetPool;

  constructor(
    private readonly first = 30000,
    last = 32767,
  ) {
    if (!Number.isInteger(first) || !Number.isInteger(last) || first < 1 || last > 65535 || last < first) throw new Error(`invalid port range ${first}-${last}`);
    this.range = `${first}-${last}`;
    this.pool = new OffsetPool(last - first + 1);
  }

  private offsetOf(value: string): number | undefined {
    if (!/^[0-9]+$/.test(value)) return undefined;
    const offset = Number(value) - this.first;
    return offset >= 0 && offset < this.pool.size ? offset : undefined;
  }

  contains(value: string): boolean {
    return this.offsetOf(value) !== undefined;
  }

  reserve(value: string): boolean {
    const offset = this.offsetOf(value);
    return offset !== undefined && this.pool.take(offset);
  }

  allocateNext(): string | undefined {
    const offset = this.pool.takeAny();
    return offset === undefined ? undefined : String(this.first + offset);
  }

  release(value: string): void {
    const offset = this.offsetOf(value);
    if (offset !== undefined) this.pool.give(offset);
  }

  get free(): number {
    return this.pool.available;
  }
}
