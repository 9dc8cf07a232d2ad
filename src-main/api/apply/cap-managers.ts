// Objects written by many different clients would otherwise grow a managedFields entry per
// client forever. Upstream keeps at most ten update entries: past that, the oldest ones are
// merged into one "ancient-changes" entry per API version.
import { managerIdentity } from './managed-fields.ts';
import type { ManagerEntry, Managers } from './managed-fields.ts';

export const MAX_UPDATE_MANAGERS = 10;
export const ANCIENT_CHANGES_MANAGER = 'ancient-changes';

const seconds = (t: string | undefined) => (t ? Math.floor(Date.parse(t) / 1000) : 0);

export function capUpdateManagers(managers: Managers, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...managers.entries()].filter(([, e]) => e.operation === 'Update');
  if (updaters.length <= max) return;
  updaters.sort(([ia, a], [ib, b]) => seconds(a.time) - seconds(b.time) || (ia < ib ? -1 : ia > ib ? 1 : 0));
  let count = updaters.length;
  // The first old entry of a version stays as it is until a second one joins it in the bucket.
  const firstOfVersion = new Map<string, string>();
  for (const [id, entry] of updaters) {
    if (count <= max) break;
    const first = firstOfVersion.get(entry.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(entry.apiVersion, id);
      continue;
    }
    const bucketId = managerIdentity({ manager: ANCIENT_CHANGES_MANAGER, operation: 'Update', apiVersion: entry.apiVersion });
    let bucket = managers.get(bucketId);
    if (!bucket) {
      const firstEntry = managers.get(first)!;
      managers.delete(first);
      bucket = { ...firstEntry, manager: ANCIENT_CHANGES_MANAGER, subresource: undefined } as ManagerEntry;
      delete bucket.subresource;
      managers.set(bucketId, bucket);
    }
    bucket.fields = bucket.fields.union(entry.fields);
    bucket.time = entry.time;
    managers.delete(id);
    count--;
  }
}
