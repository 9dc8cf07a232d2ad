// A new agent version rolled to nodes one at a time: stage and verify the bundle, restart the
// service on it (the agent adopts its running containers, so pods keep running), and go on to the
// next node only once this one's agent has heartbeated again. A node that already runs the
// bundle is skipped; the first failure stops the roll, leaving the other nodes untouched.
import { createHash } from 'node:crypto';
import type { Lease } from 'kubernetes-types/coordination/v1';
import type { KubeClient } from '../../client/kube-client.ts';
import { gvr } from '../../client/resources.ts';
import { serviceControl } from '../install/agent-service.ts';
import { NODE_PATHS } from '../install/node-layout.ts';
import { gatherFacts } from '../preflight/host-facts.ts';
import { step, type ProgressListener } from '../progress.ts';
import type { RemoteHost } from '../remote-host.ts';
import { root } from './remote-commands.ts';

export interface UpgradeTarget {
  nodeName: string;
  host: RemoteHost;
}

export interface UpgradeOptions {
  client: KubeClient;
  bundle: Buffer;
  targets: UpgradeTarget[];
  /** How long a restarted agent has to renew its Lease (default 60 s). */
  readyTimeoutMs?: number;
  report?: ProgressListener;
}

export async function upgradeNodes(o: UpgradeOptions): Promise<{ upgraded: string[]; current: string[] }> {
  const report = o.report ?? (() => undefined);
  const digest = createHash('sha256').update(o.bundle).digest('hex');
  const upgraded: string[] = [];
  const current: string[] = [];
  for (const { nodeName, host } of o.targets) {
    const phase = <T>(name: string, work: () => Promise<T>) => step(report, host.label, name, work);
    const installed = (await host.run(`sha256sum ${NODE_PATHS.bundle}`, { sudo: true })).stdout.split(' ')[0];
    if (installed === digest) {
      report({ host: host.label, step: 'upgrade', status: 'skipped', detail: `${nodeName} runs this agent already` });
      current.push(nodeName);
      continue;
    }
    const { facts } = await phase('facts', () => gatherFacts(host));
    const service = serviceControl(facts.init);
    await phase('stage', () => host.upload(o.bundle, `${NODE_PATHS.bundle}.new`, { sudo: true, mode: 0o644 }));
    // The last renewal of the old agent, read once it stopped: the new one must renew after it.
    const before = await phase('stop', async () => {
      await root(host, `${service.stop} >/dev/null 2>&1; true`, 'stopping the agent');
      return renewTime(o.client, nodeName);
    });
    await phase('restart', () => root(host, `mv -f ${NODE_PATHS.bundle}.new ${NODE_PATHS.bundle} && ${service.start}`, 'starting the new agent'));
    await phase('ready', () => waitForRenewal(o.client, nodeName, before, o.readyTimeoutMs ?? 60_000));
    upgraded.push(nodeName);
  }
  return { upgraded, current };
}

const renewTime = async (client: KubeClient, nodeName: string): Promise<string> =>
  (await client.get<Lease>(gvr.leases, 'kube-node-lease', nodeName).catch(() => undefined))?.spec?.renewTime ?? '';

/** The new agent is up once it renewed the node's Lease (RFC 3339 with microseconds: they sort). */
async function waitForRenewal(client: KubeClient, nodeName: string, before: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await renewTime(client, nodeName);
    if (now !== '' && now !== before && Date.parse(now) >= Date.parse(before || '1970-01-01T00:00:00Z')) return;
    if (Date.now() > deadline) throw new Error(`node ${nodeName}: the upgraded agent did not renew its Lease within ${Math.round(timeoutMs / 1000)} s (see ${NODE_PATHS.log} or its service log)`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
