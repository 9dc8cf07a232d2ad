// The files that stored values are read back from: log segments and snapshots. The store keeps
// only keys and positions in memory and reads a value's bytes when someone asks for it, so its
// memory grows with the number of keys, not with their size; the operating system's page cache
// keeps recently read values fast without counting against the process (as bbolt's mmap does for
// etcd).
//
// A file whose records are no longer needed (a segment inside a newer snapshot, an older snapshot)
// is retired: its name is unlinked at once, but its descriptor stays open for as long as anything
// can still reach the DataFile (a reader holding a value from before the retirement), and is
// closed when the garbage collector finds it unreachable. So a read never meets a closed or
// reused descriptor.
import { closeSync, openSync, readSync, unlinkSync } from 'node:fs';

export class DataFiles {
  private readonly fds = new Set<number>();
  private readonly unreachable = new FinalizationRegistry<number>((fd) => this.closeFd(fd));
  private closed = false;

  /** Opens path for reading values. */
  open(path: string): DataFile {
    const fd = openSync(path, 'r');
    this.fds.add(fd);
    const file = new DataFile(path, fd, this);
    this.unreachable.register(file, fd);
    return file;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Closes every descriptor; reads after this throw. */
  closeAll(): void {
    this.closed = true;
    for (const fd of this.fds) this.closeFd(fd);
  }

  private closeFd(fd: number): void {
    if (!this.fds.delete(fd)) return;
    closeSync(fd);
  }
}

export class DataFile {
  constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly files: DataFiles,
  ) {}

  /** Reads length bytes at position into target[offset...]. */
  read(target: Buffer, offset: number, length: number, position: number): void {
    if (this.files.isClosed) throw new Error('store: closed');
    for (let done = 0; done < length; ) {
      const n = readSync(this.fd, target, offset + done, length - done, position + done);
      if (n === 0) throw new Error(`store: ${this.path} ends before offset ${position + length}`);
      done += n;
    }
  }

  /** Unlinks the file; the descriptor closes once nothing references this object any more. */
  retire(): void {
    try {
      unlinkSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
