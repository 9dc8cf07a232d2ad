// The live pod list as table rows, and the writes the pod table can make.
import type { Transport } from './transport/transport.ts';
import { KindStore } from './kind-store.svelte.ts';
import { podRow, type PodRow } from './pod-status.ts';

export class PodsState extends KindStore<'pods'> {
  /** Every pod as a row, sorted by namespace then name (kubectl's -A order). */
  rows: PodRow[] = $derived(
    [...this.items.values()].map(podRow).sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name)),
  );
  /** Pods whose delete call is in flight, so their button cannot be pressed twice. */
  deleting = $state.raw(new Set<string>());
  /** The last failed write, shown until the next one succeeds or is dismissed. */
  error = $state<string | undefined>();
  readonly #transport: Transport;

  constructor(transport: Transport) {
    super('pods');
    this.#transport = transport;
  }

  rowsIn(namespace: string): PodRow[] {
    return namespace ? this.rows.filter((r) => r.namespace === namespace) : this.rows;
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
