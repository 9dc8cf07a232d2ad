// The app opening a kubeconfig context: two real control planes, the bridge switched from the
// built-in one to the other, every subscriber starting over with the other's objects, local
// shells' KUBECONFIG selecting it for a real kubectl, and a dead context refused without a switch.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinClientConfig } from '../../src-main/bridge/client-config.ts';
import { ClusterSwitch } from '../../src-main/bridge/cluster-switch.ts';
import type { BridgeEvent } from '../../src-main/bridge/protocol.ts';
import { Session } from '../../src-main/bridge/session.ts';
import { gvr } from '../../src-main/client/resources.ts';
import { startControlPlane, type ControlPlane } from '../../src-main/control-plane.ts';
import { adminKubeconfig } from '../../src-main/kubeconfig.ts';
import { kubectlBinary } from './harness/kubectl.ts';

describe('kubeconfig contexts', () => {
  let dir: string;
  let builtin: ControlPlane;
  let other: ControlPlane;
  let kubeconfig: string;
  let cluster: ClusterSwitch;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubelab-contexts-'));
    const quiet = { port: 0, address: '127.0.0.1', log: () => {}, controllers: false as const };
    [builtin, other] = await Promise.all([
      startControlPlane({ ...quiet, dataDir: join(dir, 'builtin') }),
      startControlPlane({ ...quiet, dataDir: join(dir, 'other') }),
    ]);
    await other.client.create(gvr.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'only-in-other' } });
    // The other cluster as a user's kubeconfig would have it, renamed, plus a context nobody serves.
    const text = adminKubeconfig(other.dataDir, other.url).replaceAll('kubelab-admin', 'lab-admin').replaceAll('kubelab', 'lab');
    kubeconfig = join(dir, 'config');
    writeFileSync(kubeconfig, `${text.trimEnd()}\n`);
    const dead = join(dir, 'dead-config');
    writeFileSync(dead, text.replaceAll('name: lab', 'name: dead').replace(/server: .*/, 'server: https://127.0.0.1:1').replace(/current-context: .*/, 'current-context: dead').replaceAll('cluster: lab', 'cluster: dead').replaceAll('user: lab', 'user: dead'));
    cluster = new ClusterSwitch(builtinClientConfig(builtin), { kubeconfigFiles: () => [kubeconfig, dead] });
  }, 120_000);

  afterAll(async () => {
    cluster?.close();
    await Promise.all([builtin?.close(), other?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const namespacesIn = (events: BridgeEvent[]): string[] => {
    const snap = events.filter((e) => e.type === 'snapshot' && e.kind === 'namespaces').at(-1);
    return snap?.type === 'snapshot' ? snap.objects.map((o) => o.metadata?.name ?? '').sort() : [];
  };

  it('lists the built-in cluster first, then the kubeconfig contexts', async () => {
    const session = new Session(() => {});
    const list = (await cluster.hub.invoke('listContexts', {}, session)) as ReturnType<ClusterSwitch['list']>;
    expect(list.current).toBe('kubelab');
    expect(list.contexts.map((c) => [c.name, c.builtin])).toEqual([['kubelab', true], ['lab', false], ['dead', false]]);
    expect(list.contexts[1].server).toBe(other.url);
  });

  it('switches every subscriber to the other cluster, and its KUBECONFIG selects it for kubectl', async () => {
    const events: BridgeEvent[] = [];
    const sub = cluster.hub.subscribe({ send: (e) => events.push(e) });
    await expect.poll(() => namespacesIn(events)).toContain('default');
    expect(namespacesIn(events)).not.toContain('only-in-other');

    await cluster.hub.invoke('useContext', { name: 'lab' }, new Session(() => {}));
    await expect.poll(() => namespacesIn(events), { timeout: 10_000 }).toContain('only-in-other');
    const ready = events.filter((e) => e.type === 'status' && e.state === 'ready').at(-1);
    expect(ready?.type === 'status' && ready.cluster).toEqual({ context: 'lab', server: other.url });

    // A deleted namespace of the new cluster arrives as a delta: the stream is live.
    await other.client.delete(gvr.namespaces, undefined, 'only-in-other');
    await expect.poll(() => events.some((e) => e.type === 'delta' && e.changes.some((c) => c.kind === 'namespaces' && (c.op === 'delete' || !!c.object.metadata?.deletionTimestamp))), { timeout: 10_000 }).toBe(true);

    const kubeconfigPath = cluster.kubeconfigPath;
    // The API servers run in this process: kubectl must not block its event loop.
    const kubectl = (args: string[]) => promisify(execFile)(kubectlBinary('1.35'), args, { env: { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfigPath } });
    expect((await kubectl(['config', 'current-context'])).stdout.trim()).toBe('lab');
    expect((await kubectl(['get', 'ns', 'kube-system', '-o', 'name'])).stdout.trim()).toBe('namespace/kube-system');
    sub.close();
  }, 60_000);

  it('refuses a context that does not answer and keeps showing the current cluster', async () => {
    await expect(cluster.hub.invoke('useContext', { name: 'dead' }, new Session(() => {}))).rejects.toMatchObject({ code: 502, message: expect.stringContaining('cannot reach context "dead"') });
    await expect(cluster.hub.invoke('useContext', { name: 'nope' }, new Session(() => {}))).rejects.toMatchObject({ code: 404 });
    expect(cluster.list().current).toBe('lab');
    await cluster.hub.invoke('useContext', { name: 'kubelab' }, new Session(() => {}));
    expect(cluster.list().current).toBe('kubelab');
  }, 30_000);
});
