// The calls the renderer may make, implemented against the Kubernetes API. Parameters come from
// a renderer (or a browser tab), so they are checked here, not trusted because of their type.
import type { GroupVersionResource } from '../client/gvr.ts';
import type { BridgeError, MethodName, ParamsOf, ResultOf } from './protocol.ts';

/** What the service needs from the shared client. */
export interface WriteClient {
  delete(gvr: GroupVersionResource, namespace: string | undefined, name: string): Promise<unknown>;
}

export type ServiceHandlers = { [M in MethodName]: (params: ParamsOf<M>) => Promise<ResultOf<M>> };

const PODS: GroupVersionResource = { group: '', version: 'v1', resource: 'pods' };
// DNS-1123 subdomain: what Kubernetes allows for namespace and pod names.
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export function createClusterService(client: WriteClient): ServiceHandlers {
  return {
    async deletePod(params) {
      const { namespace, name } = params;
      await client.delete(PODS, namespace, name);
      return null;
    },
  };
}

/** A call that failed, carried back to the renderer as a value. */
export class ServiceError extends Error {
  readonly code: number | undefined;
  constructor(message: string, code?: number) {
    super(message);
    this.code = code;
  }
}

/** Checks an untrusted (method, params) pair and runs it. */
export async function dispatch(handlers: ServiceHandlers, method: unknown, params: unknown): Promise<unknown> {
  if (typeof method !== 'string' || !Object.hasOwn(handlers, method)) {
    throw new ServiceError(`unknown method ${JSON.stringify(method)}`, 400);
  }
  switch (method as MethodName) {
    case 'deletePod': {
      const p = params as Partial<ParamsOf<'deletePod'>> | null;
      if (!p || typeof p.namespace !== 'string' || typeof p.name !== 'string' || !NAME.test(p.namespace) || !NAME.test(p.name)) {
        throw new ServiceError('deletePod needs a valid namespace and name', 400);
      }
      return handlers.deletePod({ namespace: p.namespace, name: p.name });
    }
  }
}

/** Any thrown value as a BridgeError; API errors keep their HTTP code and server message. */
export function toBridgeError(err: unknown): BridgeError {
  if (err instanceof ServiceError) return { message: err.message, ...(err.code ? { code: err.code } : {}) };
  if (err && typeof err === 'object') {
    const e = err as { message?: unknown; code?: unknown; status?: unknown; statusCode?: unknown };
    const code = [e.code, e.statusCode, e.status].find((c): c is number => typeof c === 'number');
    return { message: typeof e.message === 'string' ? e.message : String(err), ...(code ? { code } : {}) };
  }
  return { message: String(err) };
}
