// The one error the protobuf decoder throws: malformed, truncated or unsupported input. The
// server turns it into a 400 (or 415 for an unknown kind) instead of crashing on client garbage.
export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}
