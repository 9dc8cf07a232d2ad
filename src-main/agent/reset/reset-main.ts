// The command line of `kubelab agent reset` (and `node kubelab-agent.js reset`): the same flags
// the agent ran with say what is its own. Prints one line per kind of thing removed; exits 1
// (process.exitCode) with a line per thing that could not be removed.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_STATE_DIR } from '../run-agent.ts';
import { defaultCgroupParent } from '../runtime/cgroups.ts';
import { checkStateDir, resetNode } from './reset-node.ts';

export const resetUsage = `usage: kubelab agent reset (or: node kubelab-agent.js reset) [flags]

Removes what a stopped agent leaves on this machine: its containers, mounts, the pods' network
namespaces and IPs, the node bridge, its cgroups and its state folder. Pass the flags the agent
ran with.

  --state-dir DIR    the agent's state (default ${DEFAULT_STATE_DIR})
  --runtime-root DIR the runtime's state (default <state-dir>/runtime)
  --runtime R        runc (default) or crun
  --cgroup-parent P  the agent's cgroup parent (default /kubelab/<node-name>)
  --node-name NAME   for the default cgroup parent (default: this machine's hostname)
  --cni-netns NAME   the network namespace the agent ran its CNI plugins in`;

/** Bad flags: thrown with the one line to print (exit 2). */
export class ResetUsageError extends Error {}

export async function resetMain(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'state-dir': { type: 'string' },
        'runtime-root': { type: 'string' },
        runtime: { type: 'string' },
        'cgroup-parent': { type: 'string' },
        'node-name': { type: 'string' },
        'cni-netns': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new ResetUsageError(`agent reset: ${(e as Error).message}`);
  }
  if (values.help) {
    process.stdout.write(`${resetUsage}\n`);
    return;
  }
  const runtime = values.runtime ?? 'runc';
  if (runtime !== 'runc' && runtime !== 'crun') throw new ResetUsageError(`agent reset: --runtime must be runc or crun, not "${runtime}"`);
  const nodeName = (values['node-name'] ?? hostname()).toLowerCase();
  const stateDir = values['state-dir'] ?? DEFAULT_STATE_DIR;
  try {
    checkStateDir(stateDir);
  } catch (e) {
    throw new ResetUsageError(`agent reset: ${(e as Error).message}`);
  }
  const report = await resetNode({
    stateDir,
    runtimeRoot: values['runtime-root'],
    runtime,
    cgroupParent: values['cgroup-parent'] ?? defaultCgroupParent(nodeName),
    cniNetns: values['cni-netns'],
  });
  for (const line of report.removed) process.stdout.write(`${line}\n`);
  if (report.removed.length === 0 && report.failed.length === 0) process.stdout.write('reset: nothing was left to remove\n');
  for (const line of report.failed) process.stderr.write(`reset: could not remove: ${line}\n`);
  if (report.failed.length > 0) process.exitCode = 1;
}
