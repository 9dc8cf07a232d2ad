// Where one stored value's bytes are: in a data file at a position (the usual case), or in memory
// (a write whose log record is not written yet, or an old value that only the history still needs
// after its file was retired). Mutable on purpose: the store moves values between places, and
// every KeyValue sharing the reference reads from the new place.
import type { DataFile } from './data-file.ts';

export class ValueRef {
  private constructor(
    readonly length: number,
    private bytes: Buffer | undefined,
    private file: DataFile | undefined,
    private position: number,
  ) {}

  static inMemory(bytes: Buffer): ValueRef {
    return new ValueRef(bytes.length, bytes, undefined, 0);
  }

  static inFile(file: DataFile, position: number, length: number): ValueRef {
    return new ValueRef(length, undefined, file, position);
  }

  read(): string {
    if (this.bytes) return this.bytes.toString('utf8');
    const buf = Buffer.allocUnsafe(this.length);
    this.file!.read(buf, 0, this.length, this.position);
    return buf.toString('utf8');
  }

  /** Copies the bytes into target at offset; returns the offset after them. */
  copyTo(target: Buffer, offset: number): number {
    if (this.bytes) this.bytes.copy(target, offset);
    else this.file!.read(target, offset, this.length, this.position);
    return offset + this.length;
  }

  /** The same bytes are now at position in file (written there, and readable). */
  placeIn(file: DataFile, position: number): void {
    this.file = file;
    this.position = position;
    this.bytes = undefined;
  }

  /** True if the value is read from one of files. */
  isIn(files: ReadonlySet<DataFile>): boolean {
    return this.file !== undefined && files.has(this.file);
  }

  /** Copies the value into memory, so that its file can be retired. */
  keepInMemory(): void {
    if (this.bytes) return;
    const buf = Buffer.allocUnsafe(this.length);
    this.copyTo(buf, 0);
    this.bytes = buf;
    this.file = undefined;
  }
}
