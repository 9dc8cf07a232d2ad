// The batcher under the log streams: items pushed one by one leave together, once per delay or
// when a batch is full, and nothing leaves after stop.
import { describe, expect, it, vi } from 'vitest';
import { Batcher } from '../../../src-main/bridge/batcher.ts';

describe('Batcher', () => {
  it('sends what came within the delay as one batch, and a full batch at once', () => {
    vi.useFakeTimers();
    try {
      const sent: number[][] = [];
      const b = new Batcher<number>((items) => sent.push(items), 50, 3);
      b.add(1);
      b.add(2);
      expect(sent).toEqual([]);
      vi.advanceTimersByTime(50);
      expect(sent).toEqual([[1, 2]]);
      for (const i of [3, 4, 5, 6]) b.add(i);
      expect(sent).toEqual([[1, 2], [3, 4, 5]]);
      b.flush();
      expect(sent).toEqual([[1, 2], [3, 4, 5], [6]]);
      b.add(7);
      b.stop();
      b.add(8);
      vi.advanceTimersByTime(100);
      b.flush();
      expect(sent).toEqual([[1, 2], [3, 4, 5], [6]]);
    } finally {
      vi.useRealTimers();
    }
  });
});
