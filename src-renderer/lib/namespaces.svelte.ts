// The live namespace list, for filters and pickers.
import { KindStore } from './kind-store.svelte.ts';

export class NamespacesState extends KindStore<'namespaces'> {
  /** Namespace names, sorted. */
  names = $derived([...this.items.values()].map((ns) => ns.metadata?.name ?? '').filter(Boolean).sort());

  constructor() {
    super('namespaces');
  }
}
