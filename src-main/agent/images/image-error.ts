// One error type for everything images/ can fail at, carrying the kubelet's waiting reason so
// that the pod status shows what upstream shows: InvalidImageName, ErrImagePull (with the
// registry's own reason), ErrImageNeverPull.
export type ImageErrorReason = 'InvalidImageName' | 'ErrImagePull' | 'ErrImageNeverPull';

export class ImageError extends Error {
  override readonly name = 'ImageError';
  constructor(
    readonly reason: ImageErrorReason,
    message: string,
    /** The registry's HTTP status and `errors[0].code` when it answered with an error. */
    readonly registry?: { status: number; code?: string },
  ) {
    super(message);
  }
}
