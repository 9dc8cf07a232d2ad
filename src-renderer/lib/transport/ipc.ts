// The desktop connection: the preload's invoke and subscribe, typed. The main side answers
// invoke with { ok, result | error } so that error messages survive IPC intact (Electron rewraps
// thrown errors with its own prefix).
import type { BridgeError, BridgeEvent } from '../../../src-main/bridge/protocol.ts';
import { TransportError, type PreloadApi, type Transport } from './transport.ts';

type IpcAnswer = { ok: true; result: unknown } | { ok: false; error: BridgeError };

export function createIpcTransport(api: PreloadApi): Transport {
  const unsubscribes = new Set<() => void>();
  return {
    async invoke(method, params) {
      const answer = (await api.invoke(method, params)) as IpcAnswer;
      if (answer.ok) return answer.result as never;
      throw new TransportError(answer.error.message, answer.error.code);
    },
    subscribe(listener) {
      const off = api.subscribe((event) => listener(event as BridgeEvent));
      unsubscribes.add(off);
      return () => {
        off();
        unsubscribes.delete(off);
      };
    },
    close() {
      for (const off of unsubscribes) off();
      unsubscribes.clear();
    },
  };
}
