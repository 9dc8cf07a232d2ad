// The renderer's single subscription to the main side: routes snapshots and deltas to one store
// per kind, stream messages to their streams, and tracks whether the stream is live and which
// cluster it shows.
import { KIND_NAMES, type BridgeEvent, type ClusterInfo, type ConnectionState, type KindName, type MethodName, type ParamsOf, type ResultOf } from '../../src-main/bridge/protocol.ts';
import { KindStore } from './kind-store.svelte.ts';
import { NamespacesState } from './namespaces.svelte.ts';
import { PodsState } from './pods.svelte.ts';
import { Streams } from './streams.ts';
import type { Transport } from './transport/transport.ts';

type Stores = { [K in KindName]: KindStore<K> };

export class ClusterState {
  state = $state<ConnectionState>('connecting');
  message = $state<string | undefined>();
  info = $state<ClusterInfo | undefined>();
  readonly namespaces: NamespacesState;
  readonly pods: PodsState;
  /** Every cached kind's store, by resource name (pods and namespaces are the two above). */
  readonly stores: Stores;
  readonly streams: Streams;
  readonly #transport: Transport;
  #unsubscribe: (() => void) | undefined;

  constructor(transport: Transport) {
    this.#transport = transport;
    this.namespaces = new NamespacesState();
    this.pods = new PodsState(transport);
    this.streams = new Streams(transport);
    const stores: Partial<Record<KindName, KindStore<KindName>>> = { namespaces: this.namespaces, pods: this.pods };
    for (const kind of KIND_NAMES) stores[kind] ??= new KindStore(kind);
    this.stores = stores as Stores;
  }

  /** One typed call to the main side. */
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    return this.#transport.invoke(method, params);
  }

  connect(): void {
    this.#unsubscribe ??= this.#transport.subscribe((event) => this.#handle(event));
  }

  dispose(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.streams.closeAll();
    this.#transport.close();
  }

  #handle(event: BridgeEvent): void {
    switch (event.type) {
      case 'snapshot':
        (this.stores[event.kind] as KindStore<KindName>).replace(event.objects);
        break;
      case 'delta':
        for (const kind of KIND_NAMES) this.stores[kind].apply(event.changes);
        break;
      case 'status':
        this.state = event.state;
        this.message = event.message;
        if (event.cluster) this.info = event.cluster;
        // Streams die with the connection: their views offer to reopen them.
        if (event.state === 'disconnected') this.streams.lost();
        break;
      case 'stream':
      case 'stream-end':
        this.streams.handle(event);
        break;
    }
  }
}
