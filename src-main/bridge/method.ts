// How the main side implements a call: check the untrusted parameters, then run. An area's
// services are a MethodTable for its methods; services/index.ts joins them into one table.
import type { MethodName, ParamsOf, ResultOf } from './protocol.ts';
import type { Session } from './session.ts';
import { ServiceError } from './service-error.ts';

export interface MethodContext {
  /** The renderer that called: streams opened by the call belong to it. */
  session: Session;
}

export interface MethodDef<M extends MethodName> {
  /** Turns untrusted input into typed parameters or throws a ServiceError (400). */
  check(params: unknown): ParamsOf<M>;
  run(params: ParamsOf<M>, ctx: MethodContext): Promise<ResultOf<M>>;
}

export type MethodTable<Names extends MethodName = MethodName> = { [M in Names]: MethodDef<M> };

/** Checks an untrusted (method, params) pair and runs it. */
export async function dispatch(table: MethodTable, method: unknown, params: unknown, ctx: MethodContext): Promise<unknown> {
  if (typeof method !== 'string' || !Object.hasOwn(table, method)) {
    throw new ServiceError(`unknown method ${JSON.stringify(method)}`, 400);
  }
  const def = table[method as MethodName] as MethodDef<MethodName>;
  return def.run(def.check(params), ctx);
}
