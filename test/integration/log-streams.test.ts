// The bridge's log streams against real containers on an agent: a followed container's lines in
// batches (a burst of thousands is a few messages), a log read once, the previous run after a
// restart (and the server's refusal before), init containers, a selector's pods merged; closing
// a stream, or the renderer going away, ends its HTTP streams to the API server.
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import type { PodLogBatch, WorkloadLogBatch } from '../../src-main/bridge/api/logs.ts';
import { dispatch } from '../../src-main/bridge/method.ts';
import type { BridgeEvent } from '../../src-main/bridge/protocol.ts';
import { createServices } from '../../src-main/bridge/services/index.ts';
import { Session } from '../../src-main/bridge/session.ts';
import type { KubeClient } from '../../src-main/client/kube-client.ts';
import { gvr } from '../../src-main/client/resources.ts';
import { startTestNode, type TestNode } from './harness/agent-node.ts';
import { waitFor } from './harness/cluster.ts';

let node: TestNode;
/** The cluster's client, with every log request it makes kept, to see them end. */
let client: KubeClient;
const responses: Promise<IncomingMessage>[] = [];

beforeAll(async () => {
  node = await startTestNode('kls', {});
  const real = node.cluster.client;
  client = Object.create(real) as KubeClient;
  client.log = (...args) => {
    const handle = real.log.apply(client, args);
    responses.push(handle.response);
    return handle;
  };
  await Promise.all([
    runPod('burst', [{ name: 'main', script: 'seq 1 5000; while true; do echo tick; sleep 0.2; done' }]),
    runPod('again', [{ name: 'main', script: 'n=$(cat /data/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /data/n; echo run $n; [ $n -ge 2 ] || exit 1; sleep 3600', data: true }], { initContainers: [{ name: 'setup', image: node.image, command: ['sh', '-c', 'echo init done'] }] }),
    runPod('chat-a', [{ name: 'main', script: 'while true; do echo chat-a talks; sleep 0.2; done' }], { labels: { app: 'chat' } }),
    runPod('chat-b', [{ name: 'main', script: 'while true; do echo chat-b talks; sleep 0.2; done' }], { labels: { app: 'chat' } }),
  ]);
}, 180_000);

afterAll(async () => {
  if (!node) return;
  await node.cluster.client.deleteCollection(gvr.pods, { namespace: 'default', gracePeriodSeconds: 0 }).catch(() => undefined);
  const left = await node.stop();
  expect(left.containers).toEqual([]);
});

async function runPod(name: string, containers: { name: string; script: string; data?: boolean }[], extra: { labels?: Record<string, string>; initContainers?: object[] } = {}): Promise<Pod> {
  await node.cluster.client.create(gvr.pods, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: extra.labels },
    spec: {
      terminationGracePeriodSeconds: 1, initContainers: extra.initContainers as never, volumes: [{ name: 'data', emptyDir: {} }],
      containers: containers.map((c) => ({ name: c.name, image: node.image, command: ['sh', '-c', c.script], volumeMounts: c.data ? [{ name: 'data', mountPath: '/data' }] : undefined })),
    },
  });
  return waitFor(`${name} running`, async () => {
    const p = await node.cluster.client.get<Pod>(gvr.pods, 'default', name);
    return p.status?.containerStatuses?.every((s) => s.state?.running) && p;
  }, 90_000);
}

/** A renderer's session: what it was sent, by stream. */
function renderer() {
  const events: BridgeEvent[] = [];
  const session = new Session((e) => events.push(e));
  const services = createServices({ client });
  const messages = <T>(stream: number) => events.flatMap((e) => (e.type === 'stream' && e.stream === stream ? [e.message as T] : []));
  const ended = (stream: number) => events.find((e) => e.type === 'stream-end' && e.stream === stream) as { error?: string } | undefined;
  const open = async (method: string, params: unknown) => ((await dispatch(services, method, params, { session })) as { stream: number }).stream;
  return { session, events, messages, ended, open };
}

/** Every log request made since `from` was cut or finished: no HTTP stream left open. */
async function allEnded(from: number): Promise<void> {
  const list = await Promise.all(responses.slice(from));
  expect(list.length).toBeGreaterThan(0);
  await waitFor('the log requests to end', () => list.every((r) => r.destroyed || r.complete), 10_000);
}

describe('podLogs', () => {
  it('follows a container in batches, and closing the stream ends its HTTP request', async () => {
    const r = renderer();
    const before = responses.length;
    const stream = await r.open('podLogs', { namespace: 'default', pod: 'burst', follow: true, timestamps: true });
    const lines = () => r.messages<PodLogBatch>(stream).flatMap((m) => m.lines);
    await waitFor('the burst and some ticks', () => lines().filter((l) => l.endsWith(' tick')).length >= 3, 30_000);
    const text = lines().map((l) => l.slice(l.indexOf(' ') + 1));
    expect(text.slice(0, 5000)).toEqual(Array.from({ length: 5000 }, (_, i) => String(i + 1)));
    expect(lines()[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z 1$/);
    // 5,000 lines in a few messages, not 5,000.
    expect(r.messages(stream).length).toBeLessThan(60);
    expect(r.ended(stream)).toBeUndefined();

    await dispatch(createServices({ client }), 'streamClose', { stream }, { session: r.session });
    expect(r.ended(stream)).toEqual({ type: 'stream-end', stream });
    await allEnded(before);
    const count = r.messages(stream).length;
    await new Promise((res) => setTimeout(res, 600));
    expect(r.messages(stream).length).toBe(count);
    expect(r.session.streamCount).toBe(0);
  });

  it('reads the last lines once without following, and ends', async () => {
    const r = renderer();
    const stream = await r.open('podLogs', { namespace: 'default', pod: 'again', container: 'main', follow: false, tailLines: 1 });
    await waitFor('the end', () => r.ended(stream), 10_000);
    expect(r.messages<PodLogBatch>(stream).flatMap((m) => m.lines)).toEqual(['run 2']);
    expect(r.ended(stream)!.error).toBeUndefined();
  });

  it('shows the previous run after a restart, and init containers', async () => {
    const r = renderer();
    const prev = await r.open('podLogs', { namespace: 'default', pod: 'again', container: 'main', previous: true, follow: false });
    await waitFor('the previous run', () => r.ended(prev), 10_000);
    expect(r.messages<PodLogBatch>(prev).flatMap((m) => m.lines)).toEqual(['run 1']);
    const init = await r.open('podLogs', { namespace: 'default', pod: 'again', container: 'setup', follow: true });
    // The init container has ended: its follow ends after its output.
    await waitFor('the init log', () => r.ended(init), 10_000);
    expect(r.messages<PodLogBatch>(init).flatMap((m) => m.lines)).toEqual(['init done']);
  });

  it("gives the server's refusal as the call's error: no previous run, no such container, bad input", async () => {
    const r = renderer();
    await expect(r.open('podLogs', { namespace: 'default', pod: 'burst', previous: true, follow: false })).rejects.toThrow('previous terminated container "main" in pod "burst" not found');
    await expect(r.open('podLogs', { namespace: 'default', pod: 'burst', container: 'nope', follow: true })).rejects.toThrow(/container nope is not valid for pod burst/);
    await expect(r.open('podLogs', { namespace: 'Default!', pod: 'burst', follow: true })).rejects.toThrow('podLogs: namespace must be a valid Kubernetes name');
    await expect(r.open('podLogs', { namespace: 'default', pod: 'burst', follow: 'yes' })).rejects.toThrow('podLogs: follow must be true or false');
    await expect(r.open('podLogs', { namespace: 'default', pod: 'burst', follow: true, tailLines: -1 })).rejects.toThrow('podLogs: tailLines must be an integer');
    expect(r.session.streamCount).toBe(0);
  });
});

describe('workloadLogs', () => {
  it("merges the selector's pods with a colour each, and the renderer going away ends every stream", async () => {
    const r = renderer();
    const before = responses.length;
    const stream = await r.open('workloadLogs', { namespace: 'default', labelSelector: 'app=chat', tailLines: 2 });
    const lines = () => r.messages<WorkloadLogBatch>(stream).flatMap((m) => m.lines);
    await waitFor('both pods', () => ['chat-a', 'chat-b'].every((p) => lines().filter((l) => l.pod === p).length >= 3), 30_000);
    expect(new Set(lines().map((l) => l.pod))).toEqual(new Set(['chat-a', 'chat-b']));
    const colour = (p: string) => new Set(lines().filter((l) => l.pod === p).map((l) => l.colour));
    expect(colour('chat-a').size).toBe(1);
    expect([...colour('chat-a')][0]).not.toBe([...colour('chat-b')][0]);
    expect(lines().find((l) => l.pod === 'chat-a')).toMatchObject({ container: 'main', text: 'chat-a talks', time: expect.stringMatching(/^\d{4}-.*Z$/) });
    expect(r.messages<WorkloadLogBatch>(stream).flatMap((m) => m.errors ?? [])).toEqual([]);

    r.session.close();
    await allEnded(before);
    expect(r.session.streamCount).toBe(0);
  });

  it('refuses an empty or a malformed selector', async () => {
    const r = renderer();
    await expect(r.open('workloadLogs', { namespace: 'default', labelSelector: ' ' })).rejects.toThrow('workloadLogs: labelSelector must not be empty');
    await expect(r.open('workloadLogs', { namespace: 'default', labelSelector: 'app in (' })).rejects.toThrow();
    expect(r.session.streamCount).toBe(0);
  });
});
