// The one error every patch format throws. It carries the HTTP status kube-apiserver answers for
// the same failure, so the server can reply exactly as upstream does:
//   400 BadRequest       — the patch document itself is malformed (not a list of operations,
//                          a bad directive format, a merge patch that is not an object)
//   413 RequestEntityTooLarge — a JSON patch with more than 10000 operations
//   415 UnsupportedMediaType  — strategic merge patch where there is no schema (custom resources)
//   422 Invalid          — a well-formed patch that cannot be applied (failing test op, missing
//                          path, lists of lists); upstream puts the detail in a cause and answers
//                          the generic "the server rejected our request..." message
//   500                  — errors upstream does not classify (e.g. a list item without its merge
//                          key); upstream answers them as an unknown-reason 500, and so do we.

export interface PatchStatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface PatchStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, string>;
  status: 'Failure';
  message: string;
  reason?: string;
  details?: { causes?: PatchStatusCause[] };
  code: number;
}

const reasons: Record<number, string> = {
  400: 'BadRequest',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
};

export class PatchError extends Error {
  /** The Kubernetes Status reason for `status` ('' for the unclassified 500). */
  readonly reason: string;

  constructor(
    readonly status: 400 | 413 | 415 | 422 | 500,
    message: string,
  ) {
    super(message);
    this.name = 'PatchError';
    this.reason = reasons[status] ?? '';
  }

  /** The Status body kube-apiserver answers for this failure. */
  toStatus(): PatchStatus {
    const s: PatchStatus = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, code: this.status };
    if (this.reason) s.reason = this.reason;
    if (this.status === 422) {
      // NewGenericServerResponse(422, ...) keeps the patch library's text in a cause.
      s.message = 'the server rejected our request due to an error in our request';
      s.details = { causes: [{ reason: 'UnexpectedServerResponse', message: this.message }] };
    }
    return s;
  }
}

export const badPatch = (message: string) => new PatchError(400, message);
export const invalidPatch = (message: string) => new PatchError(422, message);
export const internalPatchError = (message: string) => new PatchError(500, message);

/**
 * Runs a recursive patch step, answering a document nested too deeply for the stack as Go's
 * JSON decoder answers one deeper than its limit: a 400, not a crash.
 */
export function withDepthGuard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RangeError) throw badPatch('exceeded max depth');
    throw e;
  }
}
