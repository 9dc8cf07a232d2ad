// Input to and closing of the caller's own streams.
import * as check from '../check.ts';
import type { MethodTable } from '../method.ts';
import type { StreamMethods } from '../api/streams.ts';

export function streamServices(): MethodTable<keyof StreamMethods> {
  return {
    streamSend: {
      check(value) {
        const p = check.params(value, 'streamSend');
        return { stream: check.integer(p, 'stream', 'streamSend', 1, Number.MAX_SAFE_INTEGER), message: p.message };
      },
      async run({ stream, message }, { session }) {
        session.sendToStream(stream, message);
        return null;
      },
    },
    streamClose: {
      check(value) {
        const p = check.params(value, 'streamClose');
        return { stream: check.integer(p, 'stream', 'streamClose', 1, Number.MAX_SAFE_INTEGER) };
      },
      async run({ stream }, { session }) {
        session.closeStream(stream);
        return null;
      },
    },
  };
}
