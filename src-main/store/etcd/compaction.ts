// What etcd says about compaction, and how to learn its compacted revision. etcd's API reports the
// compacted revision only on a watch it cancels (compact_revision); a range below it fails with
// "mvcc: required revision has been compacted" and no number. So at open the store searches for
// it with a few cheap count-only reads.
import type { KVClient } from 'etcd3';

const COMPACTED = /required revision has been compacted/;
const FUTURE = /required revision is a future revision/;

export function isCompactedError(err: unknown): boolean {
  return err instanceof Error && COMPACTED.test(err.message);
}

export function isFutureRevisionError(err: unknown): boolean {
  return err instanceof Error && FUTURE.test(err.message);
}

/**
 * etcd's compacted revision: the oldest revision a range can still read (0 if never compacted),
 * found by binary search over [1, current] with count-only reads of one key. About log2(current)
 * round trips, and one if etcd was never compacted.
 */
export async function findCompactedRevision(kv: KVClient, key: Buffer, current: number): Promise<number> {
  const readable = async (revision: number) => {
    try {
      await kv.range({ key, revision, count_only: true });
      return true;
    } catch (err) {
      if (isCompactedError(err)) return false;
      throw err;
    }
  };
  // A compacted revision of 1 is as good as none: every watch and read from revision 1 works.
  if (current <= 1 || (await readable(1))) return 0;
  let low = 1; // not readable
  let high = current; // readable: the current revision always is
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (await readable(mid)) high = mid;
    else low = mid;
  }
  return high;
}
