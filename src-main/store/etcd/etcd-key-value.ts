// A KeyValue from an etcd mvccpb.KeyValue. The client decodes int64 fields as decimal strings;
// revisions stay far below 2^53, so they become numbers.
import type { IKeyValue } from 'etcd3';
import type { KeyValue } from '../store.ts';

export class EtcdKeyValue implements KeyValue {
  constructor(
    readonly key: string,
    private readonly bytes: Buffer,
    readonly createRevision: number,
    readonly modRevision: number,
    readonly version: number,
  ) {}

  static from(key: string, kv: IKeyValue, modRevision = Number(kv.mod_revision)): EtcdKeyValue {
    return new EtcdKeyValue(key, kv.value ?? Buffer.alloc(0), Number(kv.create_revision), modRevision, Number(kv.version));
  }

  get value(): string {
    return this.bytes.toString('utf8');
  }

  get valueLength(): number {
    return this.bytes.length;
  }

  copyValue(target: Buffer, offset: number): number {
    return offset + this.bytes.copy(target, offset);
  }
}
