// The live pod list as table rows, and the writes the pod table can make. Rows are computed once
// per changed pod and kept in kubectl's -A order (namespace, then name) by binary search, so a
// batch of watch events costs O(changes · log n): never a re-map or a re-sort of every pod.
import type { Pod } from 'kubernetes-types/core/v1';
import type { Transport } from './transport/transport.ts';
import { KindStore } from './kind-store.svelte.ts';
import { podRow, type PodRow } from './pod-status.ts';
import { SortedRows } from './sorted-rows.ts';

/** Plain code-unit order: namespaces and names are lowercase DNS names, and it is fast. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function comparePodRows(a: PodRow, b: PodRow): number {
  return compareText(a.namespace, b.namespace) || compareText(a.name, b.name);
}

export class PodsState extends KindStore<'pods'> {
  /** Pods whose delete call is in flight, so their button cannot be pressed twice. */
  deleting = $state.raw(new Set<string>());
  /** The last failed write, shown until the next one succeeds or is dismissed. */
  error = $state<string | undefined>();
  readonly #rows = new Map<string, PodRow>();
  readonly #sorted = new SortedRows<PodRow>(comparePodRows);
  readonly #transport: Transport;

  constructor(transport: Transport) {
    super('pods');
    this.#transport = transport;
  }

  /**
   * Every pod as a row, sorted by namespace then name. The same array, updated in place: derive
   * from it inside a `$derived` (reading it tracks `version`), do not keep it.
   */
  get rows(): readonly PodRow[] {
    void this.version;
    return this.#sorted.all;
  }

  /** One pod's row by "ns/name". */
  row(key: string): PodRow | undefined {
    void this.version;
    return this.#rows.get(key);
  }

  /** The rows of one namespace ('' = all): a contiguous range of the sorted list. */
  rowsIn(namespace: string): readonly PodRow[] {
    const all = this.rows;
    if (!namespace) return all;
    const from = this.#sorted.lowerBound((r) => compareText(r.namespace, namespace));
    const to = this.#sorted.lowerBound((r) => compareText(r.namespace, namespace) <= 0 ? -1 : 1);
    return all.slice(from, to);
  }

  protected override rebuilt(): void {
    this.#rows.clear();
    for (const [key, pod] of this.map) this.#rows.set(key, podRow(pod));
    this.#sorted.reset([...this.#rows.values()]);
  }

  protected override changed(before: ReadonlyMap<string, Pod | undefined>): void {
    for (const key of before.keys()) {
      const old = this.#rows.get(key);
      const pod = this.map.get(key);
      if (!pod) {
        if (old) this.#sorted.remove(old);
        this.#rows.delete(key);
        continue;
      }
      const row = podRow(pod);
      this.#rows.set(key, row);
      // The key (namespace/name) is the sort key, so a known pod keeps its place.
      if (!old || !this.#sorted.replace(row)) this.#sorted.insert(row);
    }
  }

  async delete(row: PodRow): Promise<void> {
    this.deleting = new Set(this.deleting).add(row.key);
    try {
      await this.#transport.invoke('deletePod', { namespace: row.namespace, name: row.name });
      this.error = undefined;
    } catch (err) {
      this.error = `Could not delete pod ${row.namespace}/${row.name}: ${(err as Error).message}`;
    } finally {
      const next = new Set(this.deleting);
      next.delete(row.key);
      this.deleting = next;
    }
  }
}
