// @vitest-environment happy-dom
// The add-node wizard's side of the join stream: steps land on their phase (a re-run shows its
// latest), a question waits for one answer sent back on the stream, the end decides joined or
// failed, cancelling closes the stream; the failure line is split from what was left on the host.
import { describe, expect, it } from 'vitest';
import type { JoinMessage } from '../../src-main/bridge/api/node-join.ts';
import type { ClusterState } from '../../src-renderer/lib/cluster.svelte.ts';
import type { StreamCallbacks } from '../../src-renderer/lib/streams.ts';
import { JoinWizard, splitLeft } from '../../src-renderer/views/add-node/join-wizard.svelte.ts';

function fakeCluster() {
  const sent: unknown[] = [];
  let callbacks: StreamCallbacks<JoinMessage> | undefined;
  let closed = false;
  let opened: { method: string; params: unknown } | undefined;
  const cluster = {
    streams: {
      async open(method: string, params: unknown, cb: StreamCallbacks<JoinMessage>) {
        opened = { method, params };
        callbacks = cb;
        return { id: 1, send: (m: unknown) => sent.push(m), close: () => (closed = true) };
      },
    },
  } as unknown as ClusterState;
  return { cluster, sent, push: (m: JoinMessage) => callbacks!.message(m), end: (e?: string) => callbacks!.end(e), closed: () => closed, opened: () => opened };
}

const form = { host: '10.0.0.5', user: 'root', auth: { kind: 'agent' as const } };

describe('JoinWizard', () => {
  it('follows the steps, answers the host key on the stream, and ends joined', async () => {
    const f = fakeCluster();
    const w = new JoinWizard(f.cluster);
    await w.start(form);
    expect(f.opened()).toEqual({ method: 'joinNode', params: form });
    expect(w.stage).toBe('running');
    f.push({ type: 'step', step: { step: 'connect', status: 'started' } });
    f.push({ type: 'host-key', host: '10.0.0.5', port: 22, key: { algorithm: 'ssh-ed25519', fingerprint: 'SHA256:x' } });
    expect(w.question?.type).toBe('host-key');
    w.answer(true);
    w.answer(false);
    expect(f.sent).toEqual([{ type: 'host-key', trust: true }]);
    expect(w.question).toBeUndefined();
    f.push({ type: 'step', step: { step: 'connect', status: 'done', durationMs: 300 } });
    f.push({ type: 'step', step: { step: 'validate', status: 'failed', durationMs: 10, detail: 'root@h: preflight failed: runtime: runc not found (install runc)' } });
    f.push({ type: 'packages', manager: 'apt', packages: ['runc'] });
    w.answer(true);
    f.push({ type: 'step', step: { step: 'packages: runc', status: 'done', durationMs: 2000 } });
    f.push({ type: 'step', step: { step: 'validate', status: 'done', durationMs: 20 } });
    f.push({ type: 'joined', nodeName: 'pi-1', outcome: 'joined' });
    f.end();
    expect(f.sent).toEqual([{ type: 'host-key', trust: true }, { type: 'packages', install: true }]);
    expect(w.phases.connect).toMatchObject({ status: 'done', durationMs: 300 });
    expect(w.phases.packages).toMatchObject({ step: 'packages: runc', status: 'done' });
    expect(w.phases.validate).toMatchObject({ status: 'done', durationMs: 20 });
    expect(w.stage).toBe('joined');
    expect(w.nodeName).toBe('pi-1');
  });

  it('ends failed with the main side\'s error, and a failed preflight points at the checks', async () => {
    const f = fakeCluster();
    const w = new JoinWizard(f.cluster);
    await w.start(form);
    f.push({ type: 'step', step: { step: 'validate', status: 'failed', detail: 'root@h: preflight failed: ports: 10250 is in use (stop it)' } });
    f.end('root@h: preflight failed (ports); nothing was changed');
    expect(w.phases.validate!.detail).toBe('preflight failed: see the checks below');
    expect(w.stage).toBe('failed');
    expect(w.error).toBe('root@h: preflight failed (ports); nothing was changed');
  });

  it('closes the stream on cancel', async () => {
    const f = fakeCluster();
    const w = new JoinWizard(f.cluster);
    await w.start(form);
    w.cancel();
    expect(f.closed()).toBe(true);
    expect(w.stage).toBe('cancelled');
  });
});

describe('splitLeft', () => {
  it('separates what failed from what the machine was left with', () => {
    expect(splitLeft('node pi was not Ready after 60 s; left on root@h: /etc/kubelab, /var/lib/kubelab-agent')).toEqual({ failure: 'node pi was not Ready after 60 s', left: 'left on root@h: /etc/kubelab, /var/lib/kubelab-agent' });
    expect(splitLeft('starting the agent failed; root@h was left as it was')).toEqual({ failure: 'starting the agent failed', left: 'root@h was left as it was' });
    expect(splitLeft('root@h: preflight failed (runtime); nothing was changed')).toEqual({ failure: 'root@h: preflight failed (runtime)', left: 'nothing was changed' });
    expect(splitLeft('h: the host key has CHANGED (pinned a, offered b); refused: someone may be intercepting')).toEqual({ failure: 'h: the host key has CHANGED (pinned a, offered b); refused: someone may be intercepting' });
  });
});
