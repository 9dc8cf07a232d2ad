// Ready and ContainersReady as upstream's GeneratePodReadyCondition: from the containers'
// started and ready (the probes' results), and for Ready the readiness gates' conditions that
// others set, which the kubelet's status keeps.
import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { podStatus, type ContainerRecord } from '../../../../src-main/agent/kubelet/pod-status.ts';

const now = '2026-12-01T10:00:00Z';
const running = (name: string, more: Partial<ContainerRecord> = {}): ContainerRecord => ({ name, image: 'busybox', restartCount: 0, id: `c-${name}`, startedAt: now, ...more });
const pod = (more: Partial<Pod['spec']> = {}, conditions: Pod['status'] = {}): Pod => ({ metadata: { name: 'p' }, spec: { containers: [{ name: 'a' }, { name: 'b' }], ...more }, status: conditions });
const status = (p: Pod, containers: ContainerRecord[]) => podStatus({ pod: p, containers, startTime: now, sandboxReady: true, now, runtime: 'runc' });
const cond = (s: ReturnType<typeof status>, type: string) => s.conditions!.find((c) => c.type === type);

describe('pod readiness', () => {
  it('is not ready while a readiness probe has not passed or a startup probe holds the container', () => {
    const s = status(pod(), [running('a', { ready: false }), running('b', { started: false })]);
    expect(s.containerStatuses!.map((c) => [c.name, c.started, c.ready])).toEqual([['a', true, false], ['b', false, false]]);
    expect(cond(s, 'ContainersReady')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [a b]' });
    expect(cond(s, 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [a b]' });
    const ready = status(pod(), [running('a', { ready: true }), running('b', { started: true })]);
    expect(cond(ready, 'Ready')!.status).toBe('True');
    expect(cond(ready, 'Ready')!.message).toBeUndefined();
  });

  it('needs every readiness gate True for Ready, and keeps the gates\' conditions', () => {
    const gates = { readinessGates: [{ conditionType: 'x/one' }, { conditionType: 'x/two' }] };
    const missing = status(pod(gates, { conditions: [{ type: 'x/one', status: 'False' }] }), [running('a'), running('b')]);
    expect(cond(missing, 'ContainersReady')!.status).toBe('True');
    expect(cond(missing, 'Ready')).toMatchObject({
      status: 'False', reason: 'ReadinessGatesNotReady',
      message: 'the status of pod readiness gate "x/one" is not "True", but False, corresponding condition of pod readiness gate "x/two" does not exist.',
    });
    expect(cond(missing, 'x/one')!.status).toBe('False');
    const open = status(pod(gates, { conditions: [{ type: 'x/one', status: 'True' }, { type: 'x/two', status: 'True' }] }), [running('a'), running('b')]);
    expect(cond(open, 'Ready')!.status).toBe('True');
    expect(open.conditions!.map((c) => c.type)).toEqual(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled', 'x/one', 'x/two']);
  });
});
