// An in-process control plane (API server, controllers, scheduler) with hollow nodes, for the
// tests of cluster behaviour. Everything goes through the real HTTPS API; a FakeClock, when
// given, drives the API server, the controllers and the hollow nodes alike. kubectl works
// against it through kubeconfigPath.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from '../../../src-main/control-plane.ts';
import { adminKubeconfig } from '../../../src-main/kubeconfig.ts';
import type { KubeClient } from '../../../src-main/client/kube-client.ts';
import type { HollowFleet } from '../../../src-main/hollow/fleet.ts';
import type { Clock } from '../../../src-main/util/clock.ts';

export interface TestClusterOptions extends Pick<ControlPlaneOptions, 'controllers' | 'simulateNodes' | 'hollow' | 'extensions' | 'clusterSigningDurationSeconds'> {
  clock?: Clock;
}

export interface TestCluster {
  cp: ControlPlane;
  client: KubeClient;
  /** Present when simulateNodes was given. */
  fleet: HollowFleet;
  kubeconfigPath: string;
  /** What the control plane logged (for failure messages). */
  logs: string[];
  stop(): Promise<void>;
}

export async function startTestCluster(opts: TestClusterOptions = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kubelab-cluster-'));
  const logs: string[] = [];
  let cp: ControlPlane;
  try {
    cp = await startControlPlane({
      dataDir: join(dir, 'data'), port: 0, address: '127.0.0.1', log: (l) => logs.push(l), ...opts,
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(e as Error).message}\n${logs.join('\n')}`);
  }
  const kubeconfigPath = join(dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfigPath, adminKubeconfig(cp.dataDir), { mode: 0o600 });
  return {
    cp,
    client: cp.client,
    fleet: cp.fleet!,
    kubeconfigPath,
    logs,
    async stop() {
      await cp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls check until it returns a value other than undefined/false, or fails after timeoutMs with
 * the last value seen (or error thrown) in the message.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
