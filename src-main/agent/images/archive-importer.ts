// Images without a registry, as k3s' agent/images: archives dropped into <state-dir>/images/import/
// (`docker save` output or OCI image layouts, as .tar, .tar.gz/.tgz or .tar.zst) are imported into
// the image store under their names, so that pods run them with imagePullPolicy IfNotPresent or
// Never. The folder is looked at on start, on every fs.watch event, and every rescanMs anyway
// (fs.watch misses events on some filesystems). A finished archive moves to images/imported/, a
// broken one to images/failed/ beside a NAME.error file saying why; neither is looked at again.
import { randomBytes } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ArchiveFiles } from './archive-files.ts';
import { archiveImages } from './image-archive.ts';
import type { ImageStore, StoredImage } from './image-store.ts';
import type { Platform } from './manifest.ts';
import { nodePlatform } from './platform.ts';

export interface ArchiveImporterOptions {
  images: ImageStore;
  /** The images folder (<state-dir>/images): import/, imported/ and failed/ are in it. */
  dir: string;
  platform?: Platform;
  log?: (line: string) => void;
  /** How often the folder is looked at without an event (default 10 s). */
  rescanMs?: number;
}

const archiveNameRe = /\.(tar|tar\.gz|tgz|tar\.zst|tzst)$/;
/** A file written to within this long may still be arriving (a copy under way): looked at later. */
const SETTLE_MS = 1_000;
const DEFAULT_RESCAN_MS = 10_000;

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class ArchiveImporter {
  readonly importDir: string;
  readonly importedDir: string;
  readonly failedDir: string;
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private scanning?: Promise<void>;
  private again = false;
  private stopped = false;
  private readonly ignored = new Set<string>();

  constructor(private readonly opts: ArchiveImporterOptions) {
    this.importDir = join(opts.dir, 'import');
    this.importedDir = join(opts.dir, 'imported');
    this.failedDir = join(opts.dir, 'failed');
  }

  /** Creates the folder, imports what is there already (in the background) and watches it. */
  async start(): Promise<void> {
    await mkdir(this.importDir, { recursive: true });
    // What an agent that stopped mid-import was unpacking.
    for (const name of await readdir(this.importDir)) {
      if (name.startsWith('.staging-')) await rm(join(this.importDir, name), { recursive: true, force: true });
    }
    this.watcher = watch(this.importDir, () => void this.scan());
    this.watcher.on('error', (e) => this.log(`images: watching ${this.importDir} failed (${e.message}); looking every ${this.rescanMs / 1000} s`));
    this.timer = setInterval(() => void this.scan(), this.rescanMs);
    this.timer.unref();
    void this.scan();
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    clearInterval(this.timer);
  }

  /** Looks at the folder once; calls during a scan coalesce into one more after it. */
  scan(): Promise<void> {
    if (this.scanning) {
      this.again = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      do {
        this.again = false;
        await this.scanOnce().catch((e: unknown) => this.log(`images: looking at ${this.importDir}: ${errorMessage(e)}`));
      } while (this.again && !this.stopped);
    })().finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  private get rescanMs(): number {
    return this.opts.rescanMs ?? DEFAULT_RESCAN_MS;
  }

  private async scanOnce(): Promise<void> {
    const entries = await readdir(this.importDir, { withFileTypes: true }).catch(() => []);
    let unsettled = false;
    for (const entry of entries) {
      if (this.stopped) return;
      // Dot files are staging folders and uploads in progress (written, then renamed in).
      if (entry.name.startsWith('.')) continue;
      if (!entry.isFile() || !archiveNameRe.test(entry.name)) {
        if (!this.ignored.has(entry.name)) this.log(`images: ${join(this.importDir, entry.name)} is not an image archive (.tar, .tar.gz, .tgz, .tar.zst): left alone`);
        this.ignored.add(entry.name);
        continue;
      }
      const path = join(this.importDir, entry.name);
      const st = await stat(path).catch(() => undefined);
      if (!st) continue;
      if (Date.now() - st.mtimeMs < SETTLE_MS) {
        unsettled = true;
        continue;
      }
      await this.importFile(entry.name);
    }
    if (unsettled && !this.stopped) setTimeout(() => void this.scan(), SETTLE_MS).unref();
  }

  /** Imports one archive of import/ and moves it to imported/ or failed/. */
  private async importFile(name: string): Promise<void> {
    const path = join(this.importDir, name);
    try {
      await this.importArchive(path);
      await this.moveTo(this.importedDir, name);
    } catch (e) {
      const why = errorMessage(e);
      this.log(`images: cannot import ${path}: ${why}; moved to ${this.failedDir}`);
      await this.moveTo(this.failedDir, name).catch(() => undefined);
      await writeFile(join(this.failedDir, `${name}.error`), `${why}\n`).catch(() => undefined);
    }
  }

  /**
   * Puts the archive's images into the store, each whole or not at all (a broken image stops the
   * import; those before it stay, complete). The staging copy is removed whatever happens.
   */
  async importArchive(path: string): Promise<StoredImage[]> {
    const staging = join(this.importDir, `.staging-${randomBytes(6).toString('hex')}`);
    try {
      const files = await ArchiveFiles.extract(path, staging);
      const images = await archiveImages(files, this.opts.platform ?? nodePlatform());
      const stored: StoredImage[] = [];
      for (const image of images) {
        const added = await this.opts.images.addLocal(image);
        stored.push(added);
        this.log(`images: imported ${image.tags.join(', ')} (${added.configDigest}, ${added.layers.length} layers, ${added.size} bytes) from ${basename(path)}`);
      }
      return stored;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  private async moveTo(dir: string, name: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    await rm(join(dir, `${name}.error`), { force: true });
    await rename(join(this.importDir, name), join(dir, name));
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }
}
