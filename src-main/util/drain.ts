// Waiting for a response that refused a write: it can take more ('drain'), or its client went
// ('close'). Both listeners go when either fires, since a long response waits here many times
// (listeners left behind pile up: Node's MaxListenersExceededWarning).
import type { ServerResponse } from 'node:http';

export function drainOrClose(res: ServerResponse): Promise<void> {
  if (res.writableEnded || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
