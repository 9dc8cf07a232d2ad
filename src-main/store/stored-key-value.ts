// The embedded store's KeyValue: the metadata as fields, the value as a ValueRef that is read
// (from its data file, usually) each time someone asks for it. Readers that need the value several
// times should read it once.
import type { KeyValue } from './store.ts';
import type { ValueRef } from './value-ref.ts';

export class StoredKeyValue implements KeyValue {
  constructor(
    readonly key: string,
    readonly ref: ValueRef,
    readonly createRevision: number,
    readonly modRevision: number,
    readonly version: number,
  ) {
    Object.freeze(this);
  }

  get value(): string {
    return this.ref.read();
  }

  get valueLength(): number {
    return this.ref.length;
  }

  copyValue(target: Buffer, offset: number): number {
    return this.ref.copyTo(target, offset);
  }

  /** The same key and value as deleted at revision (a delete event's kv). */
  deletedAt(revision: number): StoredKeyValue {
    return new StoredKeyValue(this.key, this.ref, this.createRevision, revision, this.version);
  }
}
