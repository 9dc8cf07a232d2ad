// The names and labels of nodes and pods, read from the store: metrics objects carry their
// object's labels and are selected by them (metrics-server keeps metadata-only informers for
// this). What was read is remembered per key and revision, so listing the metrics of 10,000
// unchanged pods again parses nothing.
import type { KeyValue, Store } from '../../store/store.ts';
import type { ResourceDefinition } from '../../api/resources/types.ts';
import { objectKey, resourcePrefix } from '../../api/object-store.ts';
import type { ObjectInfo } from './objects.ts';

interface Remembered {
  revision: number;
  info: ObjectInfo;
}

function infoOf(kv: KeyValue): ObjectInfo {
  const obj = JSON.parse(kv.value) as { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } };
  const m = obj.metadata ?? {};
  return { name: m.name ?? '', namespace: m.namespace, labels: m.labels };
}

export class ObjectInfoReader {
  private readonly remembered = new Map<string, Remembered>();

  constructor(
    private readonly store: Store,
    private readonly def: ResourceDefinition,
  ) {}

  private info(kv: KeyValue): ObjectInfo {
    const known = this.remembered.get(kv.key);
    if (known && known.revision === kv.modRevision) return known.info;
    const info = infoOf(kv);
    this.remembered.set(kv.key, { revision: kv.modRevision, info });
    return info;
  }

  async get(namespace: string | undefined, name: string): Promise<ObjectInfo | undefined> {
    const kv = await this.store.get(objectKey(this.def, namespace, name));
    return kv ? this.info(kv) : undefined;
  }

  /** Every object (of one namespace, when given), in key order: namespace, then name. */
  async list(namespace?: string): Promise<ObjectInfo[]> {
    const prefix = resourcePrefix(this.def, namespace);
    const { kvs } = await this.store.range({ prefix });
    const out = kvs.map((kv) => this.info(kv));
    // A listing shows which keys under its prefix still exist: forget the others (deleted).
    if (this.remembered.size > kvs.length) {
      const live = new Set(kvs.map((kv) => kv.key));
      for (const key of this.remembered.keys()) if (key.startsWith(prefix) && !live.has(key)) this.remembered.delete(key);
    }
    return out;
  }
}
