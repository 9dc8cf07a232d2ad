// The renderer's single subscription to the main side: routes snapshots and deltas to the kind
// stores and tracks whether the stream is live.
import type { BridgeEvent, ConnectionState } from '../../src-main/bridge/protocol.ts';
import { NamespacesState } from './namespaces.svelte.ts';
import { PodsState } from './pods.svelte.ts';
import type { Transport } from './transport/transport.ts';

export class ClusterState {
  state = $state<ConnectionState>('connecting');
  message = $state<string | undefined>();
  readonly namespaces: NamespacesState;
  readonly pods: PodsState;
  readonly #transport: Transport;
  #unsubscribe: (() => void) | undefined;

  constructor(transport: Transport) {
    this.#transport = transport;
    this.namespaces = new NamespacesState();
    this.pods = new PodsState(transport);
  }

  connect(): void {
    this.#unsubscribe ??= this.#transport.subscribe((event) => this.#handle(event));
  }

  dispose(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#transport.close();
  }

  #handle(event: BridgeEvent): void {
    switch (event.type) {
      case 'snapshot':
        if (event.kind === 'namespaces') this.namespaces.replace(event.objects);
        else this.pods.replace(event.objects);
        break;
      case 'delta':
        this.namespaces.apply(event.changes);
        this.pods.apply(event.changes);
        break;
      case 'status':
        this.state = event.state;
        this.message = event.message;
        break;
    }
  }
}
