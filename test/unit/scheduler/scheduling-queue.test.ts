import { describe, expect, it } from 'vitest';
import { ClusterEvent } from '../../../src-main/scheduler/cluster-events.ts';
import { newPodInfo } from '../../../src-main/scheduler/pod-info.ts';
import { SchedulingQueue } from '../../../src-main/scheduler/scheduling-queue.ts';
import { FakeClock } from '../../../src-main/util/clock.ts';
import { pod } from './helpers.ts';

function setup() {
  const clock = new FakeClock();
  const queue = new SchedulingQueue({ clock, backoffClock: clock });
  return { clock, queue };
}

const names = async (q: SchedulingQueue, n: number) => {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await q.pop())!.info.name);
  return out;
};

describe('SchedulingQueue', () => {
  it('pops by priority, then by the time pods were added', async () => {
    const { clock, queue } = setup();
    queue.add(newPodInfo(pod('low-1')));
    await clock.advance(10);
    queue.add(newPodInfo(pod('high', { priority: 100 })));
    queue.add(newPodInfo(pod('low-2')));
    expect(await names(queue, 3)).toEqual(['high', 'low-1', 'low-2']);
  });

  it('pop waits for a pod; close ends the wait', async () => {
    const { queue } = setup();
    const popped = queue.pop();
    queue.add(newPodInfo(pod('p')));
    expect((await popped)!.info.name).toBe('p');
    const waiting = queue.pop();
    queue.close();
    expect(await waiting).toBeUndefined();
  });

  it('backoff is 1 s after the first attempt, doubling to at most 10 s', async () => {
    const { queue } = setup();
    queue.add(newPodInfo(pod('p')));
    const qp = (await queue.pop())!;
    const seen: number[] = [];
    for (let attempts = 1; attempts <= 6; attempts++) {
      qp.attempts = attempts;
      seen.push(queue.backoffDuration(qp));
    }
    expect(seen).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
  });

  it('an unschedulable pod waits for an event one of its rejecting plugins cares about, then serves its backoff', async () => {
    const { clock, queue } = setup();
    queue.add(newPodInfo(pod('p')));
    const qp = (await queue.pop())!;
    queue.addUnschedulable(qp, ClusterEvent.NodeAdd | ClusterEvent.AssignedPodDelete);
    queue.moveOnEvent(ClusterEvent.NodeLabel); // nothing that could help
    expect(queue.counts()).toEqual({ active: 0, backoff: 0, unschedulable: 1 });
    queue.moveOnEvent(ClusterEvent.NodeAdd);
    expect(queue.counts()).toEqual({ active: 0, backoff: 1, unschedulable: 0 });
    await clock.advance(999);
    queue.flushBackoffCompleted();
    expect(queue.counts().active).toBe(0);
    await clock.advance(1);
    queue.flushBackoffCompleted();
    expect(queue.counts()).toEqual({ active: 1, backoff: 0, unschedulable: 0 });
    expect((await queue.pop())!.attempts).toBe(2);
  });

  it('backoff and the 5-minute retry run on timers of the clock, armed only while pods wait', async () => {
    const { clock, queue } = setup();
    queue.add(newPodInfo(pod('p')));
    queue.addUnschedulable((await queue.pop())!, ClusterEvent.NodeAdd);
    queue.moveOnEvent(ClusterEvent.NodeAdd);
    expect(queue.counts().backoff).toBe(1);
    await clock.advance(1000);
    expect(queue.counts()).toEqual({ active: 1, backoff: 0, unschedulable: 0 });
    queue.addUnschedulable((await queue.pop())!, ClusterEvent.NodeAdd);
    await clock.advance(300_000);
    expect(queue.counts()).toEqual({ active: 1, backoff: 0, unschedulable: 0 });
    expect((clock as unknown as { timers: unknown[] }).timers).toHaveLength(0);
  });

  it('a pod parked longer than its backoff goes straight to activeQ on an event', async () => {
    const { clock, queue } = setup();
    queue.add(newPodInfo(pod('p')));
    queue.addUnschedulable((await queue.pop())!, ClusterEvent.NodeAdd);
    await clock.advance(5000);
    queue.moveOnEvent(ClusterEvent.NodeAdd);
    expect(queue.counts()).toEqual({ active: 1, backoff: 0, unschedulable: 0 });
  });

  it('parked pods are retried after 5 minutes anyway', async () => {
    const { clock, queue } = setup();
    queue.add(newPodInfo(pod('p')));
    queue.addUnschedulable((await queue.pop())!, ClusterEvent.NodeAdd);
    await clock.advance(299_000);
    queue.flushUnschedulableLeftover();
    expect(queue.counts().unschedulable).toBe(1);
    await clock.advance(1000);
    queue.flushUnschedulableLeftover();
    expect(queue.counts()).toEqual({ active: 1, backoff: 0, unschedulable: 0 });
  });

  it('a spec change moves a parked pod; a status-only change does not', async () => {
    const { clock, queue } = setup();
    queue.add(newPodInfo(pod('p')));
    queue.addUnschedulable((await queue.pop())!, ClusterEvent.NodeAdd);
    queue.update(newPodInfo(pod('p')), false);
    expect(queue.counts().unschedulable).toBe(1);
    await clock.advance(2000);
    queue.update(newPodInfo(pod('p', { nodeSelector: { a: 'b' } })), true);
    expect(queue.counts()).toEqual({ active: 1, backoff: 0, unschedulable: 0 });
  });

  it('delete forgets the pod wherever it waits', async () => {
    const { queue } = setup();
    queue.add(newPodInfo(pod('a')));
    queue.add(newPodInfo(pod('b')));
    queue.delete('default/a');
    expect(await names(queue, 1)).toEqual(['b']);
    expect(queue.has('default/a')).toBe(false);
  });

  it('a pod without rejecting plugins (no nodes) waits for any event', async () => {
    const { queue } = setup();
    queue.add(newPodInfo(pod('p')));
    queue.addUnschedulable((await queue.pop())!, 0);
    queue.moveOnEvent(ClusterEvent.NodeLabel);
    expect(queue.counts().unschedulable).toBe(0);
  });
});
