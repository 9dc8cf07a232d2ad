import { describe, expect, it } from 'vitest';
import { ContainerBackoff } from '../../../../src-main/agent/kubelet/container-backoff.ts';

describe('ContainerBackoff', () => {
  it('restarts an exited container at once, then waits 10 s doubling to 5 min, per container', () => {
    let now = 0;
    const b = new ContainerBackoff(() => now);
    expect(b.remaining('main')).toBe(0);
    const delays = [];
    for (let i = 0; i < 7; i++) {
      delays.push(b.fail('main'));
      now += 20_000;
    }
    expect(delays).toEqual([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000]);
    expect(b.remaining('side')).toBe(0);
  });

  it('waits 10 s after a failed start, counts down, and starts over once the last failure is 10 min old', () => {
    let now = 0;
    const b = new ContainerBackoff(() => now);
    expect(b.fail('main', 'start')).toBe(10_000);
    now = 1_000;
    expect(b.fail('main')).toBe(20_000);
    now = 5_000;
    expect(b.remaining('main')).toBe(16_000);
    now = 1_000 + 600_000 - 1;
    expect(b.fail('main')).toBe(40_000);
    now += 600_000;
    expect(b.fail('main')).toBe(0);
  });
});
