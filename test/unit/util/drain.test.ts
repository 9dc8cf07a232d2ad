// drainOrClose leaves no listener behind, whichever event ends the wait: a long response waits
// thousands of times.
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { drainOrClose } from '../../../src-main/util/drain.ts';

function response(): EventEmitter & { writableEnded: boolean; destroyed: boolean } {
  return Object.assign(new EventEmitter(), { writableEnded: false, destroyed: false });
}

describe('drainOrClose', () => {
  it('resolves on drain or close and removes both listeners each time', async () => {
    const res = response();
    for (let i = 0; i < 50; i++) {
      const wait = drainOrClose(res as unknown as ServerResponse);
      res.emit(i % 2 ? 'drain' : 'close');
      await wait;
    }
    expect(res.listenerCount('drain') + res.listenerCount('close')).toBe(0);
  });

  it('does not wait on a response that already ended', async () => {
    const res = response();
    res.destroyed = true;
    await drainOrClose(res as unknown as ServerResponse);
    expect(res.listenerCount('close')).toBe(0);
  });
});
