// Image garbage collection (the kubelet's realImageGCManager): when the image file system is
// used past the high threshold (85%), unused images are removed, least recently used first,
// until usage is down to the low threshold (80%). An image any pod on the node names is never
// removed, nor one first seen less than the minimum age (2 min) ago. Falling short records
// FreeDiskSpaceFailed on the node; repeated failures of the whole pass record ImageGCFailed.
// The eviction manager calls deleteUnusedImages() first when the disk is under pressure.
import { dirUsage } from '../stats/fs-usage.ts';
import type { FsAvailability } from '../kubelet/machine.ts';
import type { ImageStore, StoredImage } from './image-store.ts';

export interface ImageGCPolicy {
  highThresholdPercent: number;
  lowThresholdPercent: number;
  minAgeMs: number;
}

export const defaultImageGCPolicy: ImageGCPolicy = { highThresholdPercent: 85, lowThresholdPercent: 80, minAgeMs: 2 * 60_000 };

export interface ImageGCDeps {
  images: ImageStore;
  /** The image references of every pod on the node (spec and init containers). */
  imagesInUse: () => string[];
  /** The file system that holds the store. */
  imageFs: () => Promise<FsAvailability>;
  event: (type: 'Normal' | 'Warning', reason: string, message: string) => void;
  policy?: ImageGCPolicy;
  /** How often the pass runs (ImageGCPeriod, 5 min). */
  periodMs?: number;
  now?: () => number;
  log?: (line: string) => void;
}

interface ImageRecord {
  firstDetected: number;
  lastUsed: number;
}

export class ImageGC {
  readonly policy: ImageGCPolicy;
  private readonly records = new Map<string, ImageRecord>();
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private previousFailed = false;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ImageGCDeps) {
    this.policy = { ...(deps.policy ?? defaultImageGCPolicy) };
    this.now = deps.now ?? Date.now;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.periodic(), this.deps.periodMs ?? 5 * 60_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One scheduled pass; an error twice in a row becomes an ImageGCFailed event. */
  private async periodic(): Promise<void> {
    try {
      await this.garbageCollect();
      this.previousFailed = false;
    } catch (e) {
      if (this.previousFailed) this.deps.event('Warning', 'ImageGCFailed', (e as Error).message);
      this.deps.log?.(`image gc: ${(e as Error).message}`);
      this.previousFailed = true;
    }
  }

  /** Frees space down to the low threshold if usage is at or over the high one. */
  garbageCollect(): Promise<void> {
    return this.serial(async () => {
      const fs = await this.deps.imageFs();
      if (fs.capacity <= 0) {
        const message = 'invalid capacity 0 on image filesystem';
        this.deps.event('Warning', 'InvalidDiskCapacity', message);
        throw new Error(message);
      }
      const available = Math.min(fs.available, fs.capacity);
      const usagePercent = 100 - Math.trunc((available * 100) / fs.capacity);
      if (usagePercent < this.policy.highThresholdPercent) {
        await this.detect();
        return;
      }
      const amountToFree = Math.trunc((fs.capacity * (100 - this.policy.lowThresholdPercent)) / 100) - available;
      this.deps.log?.(`image gc: disk usage ${usagePercent}% is over the high threshold ${this.policy.highThresholdPercent}%, freeing ${amountToFree} bytes`);
      const freed = await this.freeSpace(amountToFree);
      if (freed < amountToFree) {
        const message = `Failed to garbage collect required amount of images. Attempted to free ${amountToFree} bytes, but only found ${freed} bytes eligible to free.`;
        this.deps.event('Warning', 'FreeDiskSpaceFailed', message);
        throw new Error(message);
      }
    });
  }

  /** Removes every unused image old enough (the eviction manager's node-level reclaim). */
  deleteUnusedImages(): Promise<number> {
    return this.serial(() => this.freeSpace(Number.POSITIVE_INFINITY));
  }

  /** Records which images exist and which are in use now; returns the unused ones, LRU first. */
  private async detect(): Promise<{ image: StoredImage; record: ImageRecord }[]> {
    const now = this.now();
    const images = await this.deps.images.list();
    const inUse = new Set<string>();
    for (const ref of this.deps.imagesInUse()) {
      const stored = await this.deps.images.get(ref).catch(() => undefined);
      if (stored) inUse.add(stored.manifestDigest);
    }
    const unused: { image: StoredImage; record: ImageRecord }[] = [];
    for (const image of images) {
      const record = this.records.get(image.manifestDigest) ?? { firstDetected: now, lastUsed: 0 };
      this.records.set(image.manifestDigest, record);
      if (inUse.has(image.manifestDigest)) record.lastUsed = now;
      else unused.push({ image, record });
    }
    for (const key of this.records.keys()) if (!images.some((i) => i.manifestDigest === key)) this.records.delete(key);
    return unused.sort((a, b) => a.record.lastUsed - b.record.lastUsed || a.record.firstDetected - b.record.firstDetected);
  }

  private async freeSpace(bytesToFree: number): Promise<number> {
    const candidates = await this.detect();
    const now = this.now();
    let freed = 0;
    for (const { image, record } of candidates) {
      if (freed >= bytesToFree) break;
      // An image just pulled may be about to be used by the container it was pulled for.
      if (now - record.firstDetected < this.policy.minAgeMs) continue;
      const size = await this.diskSize(image);
      this.deps.log?.(`image gc: removing ${image.names[0] ?? image.manifestDigest} (${size} bytes)`);
      if (await this.deps.images.remove(image.names[0] ?? image.manifestDigest)) {
        this.records.delete(image.manifestDigest);
        freed += size;
      }
    }
    return freed;
  }

  /** What removing the image gives back: its blobs and unpacked layers no other image shares. */
  private async diskSize(image: StoredImage): Promise<number> {
    const others = (await this.deps.images.list()).filter((i) => i.manifestDigest !== image.manifestDigest);
    const shared = new Set(others.flatMap((i) => [i.manifestDigest, i.configDigest, i.repoDigest, ...i.layers.flatMap((l) => [l.digest, l.diffID])]));
    let bytes = 0;
    for (const digest of new Set([image.repoDigest, image.manifestDigest, image.configDigest, ...image.layers.map((l) => l.digest)])) {
      if (!shared.has(digest)) bytes += (await dirUsage(this.deps.images.blobPath(digest))).bytes;
    }
    for (const l of image.layers) if (!shared.has(l.diffID)) bytes += (await dirUsage(this.deps.images.layerDir(l.diffID))).bytes;
    return bytes;
  }

  /** One pass at a time: the periodic one and the eviction manager's never interleave. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.running.then(work);
    this.running = next.then(() => undefined, () => undefined);
    return next;
  }
}

