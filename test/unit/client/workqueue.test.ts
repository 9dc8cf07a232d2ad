import { describe, expect, it } from 'vitest';
import { ItemExponentialFailureRateLimiter } from '../../../src-main/client/rate-limiter.ts';
import { WorkQueue, runWorkers } from '../../../src-main/client/workqueue.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('WorkQueue', () => {
  it('coalesces duplicate adds and hands keys out in order', async () => {
    const q = new WorkQueue<string>();
    q.add('a'); q.add('b'); q.add('a'); q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.len()).toBe(0);
  });

  it('never hands a key being processed to a second worker; a re-add waits for done()', async () => {
    const q = new WorkQueue<string>();
    q.add('k');
    const first = await q.get();
    q.add('k'); // a change arrives while 'k' is processed
    q.add('k');
    expect(q.len()).toBe(0);
    let second: string | undefined;
    void q.get().then((v) => { second = v; });
    await sleep(10);
    expect(second).toBeUndefined();
    q.done(first!);
    await sleep(0);
    expect(second).toBe('k'); // processed again, exactly once more
    q.done('k');
    expect(q.len()).toBe(0);
  });

  it('wakes a waiting worker when a key is added', async () => {
    const q = new WorkQueue<string>();
    const got = q.get();
    q.add('x');
    expect(await got).toBe('x');
  });

  it('addAfter delays the key and keeps the earliest of repeated delays', async () => {
    const q = new WorkQueue<string>();
    q.addAfter('slow', 10_000);
    q.addAfter('slow', 20);
    q.addAfter('slow', 5_000);
    expect(q.len()).toBe(0);
    const t0 = Date.now();
    expect(await q.get()).toBe('slow');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(15);
    expect(Date.now() - t0).toBeLessThan(1000);
    q.shutDown(); // clears the remaining timers
  });

  it('backs off a failing key exponentially, per key, and forget() resets it', () => {
    const rl = new ItemExponentialFailureRateLimiter<string>(5, 1000);
    expect([rl.when('a'), rl.when('a'), rl.when('a'), rl.when('b')]).toEqual([5, 10, 20, 5]);
    for (let i = 0; i < 20; i++) rl.when('a');
    expect(rl.when('a')).toBe(1000);
    expect(rl.numRequeues('a')).toBe(24);
    rl.forget('a');
    expect(rl.when('a')).toBe(5);
  });

  it('addRateLimited requeues after the backoff and counts requeues', async () => {
    const q = new WorkQueue<string>(new ItemExponentialFailureRateLimiter<string>(30, 1000));
    q.addRateLimited('k');
    expect(q.numRequeues('k')).toBe(1);
    expect(q.len()).toBe(0);
    await sleep(60);
    expect(q.len()).toBe(1);
    q.forget('k');
    expect(q.numRequeues('k')).toBe(0);
  });

  it('shutDown wakes idle workers, refuses new keys, and drains what is queued', async () => {
    const q = new WorkQueue<string>();
    const idle = q.get();
    q.shutDown();
    expect(await idle).toBeUndefined();
    q.add('late');
    expect(q.len()).toBe(0);
    expect(await q.get()).toBeUndefined();
  });

  it('shutDownWithDrain waits for keys in flight', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const a = await q.get();
    let drained = false;
    void q.shutDownWithDrain().then(() => { drained = true; });
    await sleep(10);
    expect(drained).toBe(false);
    q.done(a!);
    await sleep(0);
    expect(drained).toBe(true);
  });
});

describe('runWorkers', () => {
  it('retries a failing key with backoff, never runs one key concurrently, and stops on shutdown', async () => {
    const q = new WorkQueue<string>(new ItemExponentialFailureRateLimiter<string>(5, 100));
    const running = new Set<string>();
    const calls: string[] = [];
    let overlap = false;
    let failuresLeft = 2;
    const done = runWorkers(q, 4, async (key) => {
      if (running.has(key)) overlap = true;
      running.add(key);
      calls.push(key);
      await sleep(5);
      running.delete(key);
      if (key === 'flaky' && failuresLeft-- > 0) throw new Error('not yet');
    });
    for (let i = 0; i < 20; i++) { q.add('hot'); q.add('flaky'); await sleep(1); }
    await sleep(150);
    q.shutDown();
    await done;
    expect(overlap).toBe(false);
    expect(calls.filter((k) => k === 'flaky').length).toBeGreaterThanOrEqual(3);
    // 20 adds of 'hot' coalesced into far fewer runs
    expect(calls.filter((k) => k === 'hot').length).toBeLessThan(20);
    expect(q.numRequeues('flaky')).toBe(0); // the success forgot it
  });
});
