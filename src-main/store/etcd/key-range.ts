// Keys on the wire: the store's keys live under one prefix in etcd (kube-apiserver's
// --etcd-prefix), and a prefix range is etcd's [key, range_end) with range_end = the prefix with
// its last byte incremented (clientv3.GetPrefixRangeEnd).

/** The smallest key greater than every key that starts with prefix; [0] (to the end) if none. */
export function prefixRangeEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

/** Maps the store's keys to etcd keys under one prefix and back. */
export class KeySpacePrefix {
  private readonly bytes: Buffer;

  constructor(readonly prefix: string) {
    this.bytes = Buffer.from(prefix, 'utf8');
  }

  toEtcd(key: string): Buffer {
    return Buffer.from(this.prefix + key, 'utf8');
  }

  fromEtcd(key: Buffer): string {
    return key.subarray(this.bytes.length).toString('utf8');
  }

  /** The etcd range of every store key that starts with prefix. */
  range(prefix: string): { key: Buffer; range_end: Buffer } {
    const key = this.toEtcd(prefix);
    return { key, range_end: prefixRangeEnd(key) };
  }

  /** The etcd range of the keys after startAfter (exclusive) that start with prefix. */
  rangeAfter(prefix: string, startAfter: string): { key: Buffer; range_end: Buffer } {
    const { key, range_end } = this.range(prefix);
    // The smallest key greater than startAfter is startAfter + "\0".
    const after = Buffer.concat([this.toEtcd(startAfter), Buffer.from([0])]);
    return { key: Buffer.compare(after, key) > 0 ? after : key, range_end };
  }
}
