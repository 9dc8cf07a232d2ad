// A call that failed, carried back to the renderer as a value.
import type { BridgeError } from './protocol.ts';

export class ServiceError extends Error {
  readonly code: number | undefined;
  constructor(message: string, code?: number) {
    super(message);
    this.code = code;
  }
}

/** Any thrown value as a BridgeError; API errors keep their HTTP code, message and causes. */
export function toBridgeError(err: unknown): BridgeError {
  if (err instanceof ServiceError) return { message: err.message, ...(err.code ? { code: err.code } : {}) };
  if (err && typeof err === 'object') {
    const e = err as { message?: unknown; code?: unknown; status?: unknown; statusCode?: unknown; body?: unknown };
    const code = [e.code, e.statusCode, e.status].find((c): c is number => typeof c === 'number');
    const causes = (e.body as { details?: { causes?: BridgeError['causes'] } } | undefined)?.details?.causes;
    return {
      message: typeof e.message === 'string' ? e.message : String(err),
      ...(code ? { code } : {}),
      ...(Array.isArray(causes) ? { causes } : {}),
    };
  }
  return { message: String(err) };
}
