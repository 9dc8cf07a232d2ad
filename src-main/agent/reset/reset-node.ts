// `kubelab agent reset`: what `node remove` runs on a node once its agent is stopped, as
// k3s-killall.sh and `kubeadm reset` do: every container of the agent killed and deleted, its
// mounts unmounted, the pods' network namespaces, IPs and the node bridge gone, its cgroups and
// its state folder removed — and nothing that is not the agent's. The agent's pods keep running
// when it stops (a restarted agent adopts them); this is what ends them for good.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_BRIDGE } from '../network/pod-network.ts';
import { cgroupLayout } from '../runtime/cgroups.ts';
import { OciRuntime } from '../runtime/oci-runtime.ts';
import type { RuntimeName } from '../runtime/runtime-version.ts';
import {
  countPodIPs, killCgroupProcesses, podUIDs, removeBridge, removeCgroups, removeContainers, removeFolder, removeNetworkRules,
  removePodNetns, unmountAll, type StepResult,
} from './reset-steps.ts';

export interface ResetOptions {
  stateDir: string;
  /** The runtime's --root (default <stateDir>/runtime). */
  runtimeRoot?: string;
  runtime?: RuntimeName;
  /** The agent's cgroup parent, e.g. /kubelab/<node-name>. */
  cgroupParent: string;
  /** The network namespace the agent ran its CNI plugins in (a test host's). */
  cniNetns?: string;
  bridge?: string;
}

export interface ResetReport {
  /** One line per kind of thing removed; empty when nothing was left. */
  removed: string[];
  /** What could not be removed, one line each; empty when the node is clean. */
  failed: string[];
}

/** What the agent makes in its state folder: a folder with none of these is not an agent's. */
const AGENT_ENTRIES = ['pki', 'images', 'pods', 'containers', 'cni', 'logs', 'runtime', 'network'];

/**
 * Refuses a state folder that cannot be an agent's (`/`, or a folder holding none of what the
 * agent makes), before anything is touched: a mistyped --state-dir must not delete a home folder.
 */
export function checkStateDir(stateDir: string): void {
  const dir = resolve(stateDir);
  if (dir === '/') throw new Error('--state-dir / is not an agent state folder');
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new Error(`--state-dir ${dir} is not a folder`);
  const held = readdirSync(dir);
  if (held.length > 0 && !held.some((e) => AGENT_ENTRIES.includes(e))) {
    throw new Error(`--state-dir ${dir} is not a Kubelab agent's state folder (it has none of ${AGENT_ENTRIES.join(', ')}): nothing removed`);
  }
}

export async function resetNode(opts: ResetOptions): Promise<ResetReport> {
  checkStateDir(opts.stateDir);
  const stateDir = resolve(opts.stateDir);
  const runtimeRoot = resolve(opts.runtimeRoot ?? join(stateDir, 'runtime'));
  const layout = await cgroupLayout(opts.cgroupParent);
  // Read before anything goes: the state names the pods whose namespaces are the agent's.
  const uids = podUIDs(stateDir);
  const steps: (() => Promise<StepResult> | StepResult)[] = [
    () => removeContainers(new OciRuntime({ name: opts.runtime ?? 'runc', root: runtimeRoot }), runtimeRoot),
    () => killCgroupProcesses(layout),
    () => unmountAll(stateDir),
    () => removePodNetns(uids),
    () => countPodIPs(stateDir),
    () => removeBridge(stateDir, opts.bridge ?? DEFAULT_BRIDGE, opts.cniNetns),
    () => removeNetworkRules(stateDir),
    () => removeCgroups(layout),
    () => (runtimeRoot.startsWith(`${stateDir}/`) ? { failed: [] } : removeFolder('runtime state', runtimeRoot)),
    () => removeFolder('state folder', stateDir),
  ];
  const report: ResetReport = { removed: [], failed: [] };
  for (const step of steps) {
    // A step that throws is reported like one that could not remove something; the rest still run.
    const result = await Promise.resolve().then(step).catch((e: unknown): StepResult => ({ failed: [(e as Error).message] }));
    if (result.removed) report.removed.push(result.removed);
    report.failed.push(...result.failed);
  }
  return report;
}
