// Every non-2xx answer from the API server becomes an ApiError carrying the server's Status, so
// callers branch on `reason` (NotFound, AlreadyExists, Conflict, Expired ...) the way client-go's
// apierrors.IsNotFound & co. do, instead of parsing messages.
import type { Status } from 'kubernetes-types/meta/v1';

export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly body: Status;

  constructor(status: number, body: Status) {
    super(body.message || `HTTP ${status}${body.reason ? ` (${body.reason})` : ''}`);
    this.name = 'ApiError';
    this.status = status;
    this.reason = body.reason ?? '';
    this.body = body;
  }

  /**
   * Builds the error from a raw response body. Servers (and proxies in front of them) do not
   * always answer with a Status; a non-Status body is kept as the message, and the reason is
   * derived from the HTTP code as client-go does for such answers.
   */
  static fromResponse(status: number, text: string): ApiError {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && (parsed as Status).kind === 'Status') {
        return new ApiError(status, parsed as Status);
      }
    } catch {
      // not JSON: fall through to a synthesized Status
    }
    return new ApiError(status, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      code: status,
      reason: reasonForCode(status),
      message: text.trim() || `the server responded with HTTP ${status}`,
    });
  }
}

/** The StatusReason upstream assigns to a bare HTTP code. */
export function reasonForCode(code: number): string {
  switch (code) {
    case 400: return 'BadRequest';
    case 401: return 'Unauthorized';
    case 403: return 'Forbidden';
    case 404: return 'NotFound';
    case 405: return 'MethodNotAllowed';
    case 406: return 'NotAcceptable';
    case 409: return 'Conflict';
    case 410: return 'Expired';
    case 413: return 'RequestEntityTooLarge';
    case 415: return 'UnsupportedMediaType';
    case 422: return 'Invalid';
    case 429: return 'TooManyRequests';
    case 504: return 'Timeout';
    default: return code >= 500 ? 'InternalError' : 'Unknown';
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404;
}

export function isAlreadyExists(err: unknown): boolean {
  return err instanceof ApiError && err.status === 409 && err.reason === 'AlreadyExists';
}

/** A 409 from a stale resourceVersion (optimistic concurrency), not a name clash. */
export function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.status === 409 && err.reason !== 'AlreadyExists';
}

/** 410 Gone: the resourceVersion asked for is older than the server's watch history. */
export function isGone(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 410 || err.reason === 'Expired' || err.reason === 'Gone');
}
