// One watch request: turns the chunked response into WatchEvents and guarantees the caller's
// onDone runs exactly once however the stream ends (server timeout, network error, parse error,
// non-200 answer, or stop()).
import type { IncomingMessage } from 'node:http';
import { ApiError } from './api-error.ts';
import type { Transport } from './transport.ts';
import type { KubeObject, WatchEvent, WatchHandle } from './types.ts';
import { JsonStreamDecoder } from './watch-decoder.ts';

const EVENT_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

export function startWatch<T extends KubeObject>(
  transport: Transport, path: string,
  onEvent: (e: WatchEvent<T>) => void, onDone: (err?: Error) => void,
): WatchHandle {
  const handle = transport.stream('GET', path);
  let finished = false;
  const finish = (err?: Error): void => {
    if (finished) return;
    finished = true;
    handle.abort();
    onDone(err);
  };

  const consume = (res: IncomingMessage): void => {
    if (res.statusCode !== 200) {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => finish(ApiError.fromResponse(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
      res.on('error', (e) => finish(e));
      return;
    }
    const decoder = new JsonStreamDecoder();
    res.on('data', (chunk: Buffer) => {
      if (finished) return;
      try {
        for (const value of decoder.write(chunk)) {
          const e = value as { type?: unknown; object?: unknown };
          if (typeof e.type !== 'string' || !EVENT_TYPES.has(e.type) || !e.object || typeof e.object !== 'object') {
            throw new Error(`malformed watch event: ${JSON.stringify(value).slice(0, 200)}`);
          }
          onEvent(value as WatchEvent<T>);
          if (finished) return; // the handler called stop()
        }
      } catch (err) {
        finish(err instanceof Error ? err : new Error(String(err)));
      }
    });
    res.on('end', () => finish(decoder.pending ? new Error('watch stream ended in the middle of an event') : undefined));
    // 'aborted'/'error' arrive when the connection drops before a clean end
    res.on('aborted', () => finish(new Error('watch connection was cut')));
    res.on('error', (e) => finish(e));
    res.on('close', () => finish(res.complete ? undefined : new Error('watch connection was cut')));
  };

  handle.response.then(consume, (err: Error) => finish(err));
  return { stop: () => finish() };
}
