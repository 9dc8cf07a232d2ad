// The steps of `kubelab agent reset`, each removing one kind of thing the agent made and saying
// what it removed (one line) or what it could not. Each is idempotent: with nothing left, it says
// nothing. None touches what is not the agent's: its runtime root's containers, mounts of the
// kinds it makes under its state folder, the pods' network namespaces its state names, its
// bridge, cgroups under its own parent.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { rm, rmdir } from 'node:fs/promises';
import { join, posix, relative } from 'node:path';
import { readNetworkState } from '../network/network-state.ts';
import { ROUTE_PROTOCOL } from '../network/node-network.ts';
import { netnsNameOf, netnsPathOf } from '../network/pod-network.ts';
import { Iptables } from '../proxy/iptables.ts';
import { existingCgroupDirs, removeCgroupTree, type CgroupLayout } from '../runtime/cgroups.ts';
import type { OciRuntime } from '../runtime/oci-runtime.ts';
import { mountsUnder } from '../volumes/pod-volumes.ts';

export interface StepResult {
  /** One line: what was removed (absent when there was nothing to remove). */
  removed?: string;
  /** What could not be removed, one line each. */
  failed: string[];
}

const nothing = (): StepResult => ({ failed: [] });
const why = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const uidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const POLL_MS = 50;
const PROCESS_END_TIMEOUT_MS = 5_000;

const run = (file: string, args: string[]): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${file} ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve(stdout)));
  });

const entries = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);

/** The uids of the pods the agent's state knows: their volume folders and CNI results. */
export function podUIDs(stateDir: string): string[] {
  const fromPods = entries(join(stateDir, 'pods'));
  const fromCni = entries(join(stateDir, 'cni', 'pods')).map((f) => f.replace(/\.json$/, ''));
  return [...new Set([...fromPods, ...fromCni])].filter((u) => uidRe.test(u));
}

/**
 * Every container of the runtime root, killed and deleted (runc delete --force does both); then
 * the runtime processes of that root (the run shims, `runc run`) are given a moment to end, as
 * they do once their container is gone, and killed if they do not.
 */
export async function removeContainers(runtime: OciRuntime, root: string): Promise<StepResult> {
  if (!existsSync(root)) return nothing();
  const containers = await runtime.list();
  const failed: string[] = [];
  for (const c of containers) await runtime.delete(c.id, true).catch((e: unknown) => failed.push(`container ${c.id}: ${why(e)}`));
  const removed = containers.length - failed.length;
  const stuck = await endProcesses(() => runtimeProcesses(root));
  if (stuck.killed > 0) failed.push(...stuck.left.map((pid) => `runtime process ${pid} did not end`));
  const killed = stuck.killed > 0 ? ` (and ${stuck.killed} runtime processes that did not end)` : '';
  return { removed: removed > 0 ? `containers: killed and deleted ${removed}${killed}` : undefined, failed };
}

/**
 * Processes whose command line runs the runtime on this root: `--root ROOT`, also quoted in a
 * tty's script -c. Only those in this mount namespace: the same path on another machine sharing
 * the kernel (a test host, a chroot) is that machine's runtime, not this one's.
 */
function runtimeProcesses(root: string): number[] {
  const quoted = `'--root' '${root}'`;
  const mountNs = (pid: string) => readlinkSync(`/proc/${pid}/ns/mnt`);
  const own = mountNs('self');
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid).filter((pid) => {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!argv.some((a, i) => (a === root && argv[i - 1] === '--root') || a.includes(quoted))) return false;
      return mountNs(pid) === own;
    } catch {
      return false; // ended meanwhile
    }
  }).map(Number);
}

/** Polls until the listed processes are gone (or the timeout); returns those still there. */
async function waitGone(list: () => number[]): Promise<number[]> {
  const deadline = Date.now() + PROCESS_END_TIMEOUT_MS;
  while (list().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, POLL_MS));
  return list();
}

const killAll = (pids: number[]): void => {
  for (const pid of pids) try { process.kill(pid, 'SIGKILL'); } catch { /* gone meanwhile */ }
};

/** Waits for the processes to end by themselves, then SIGKILLs the rest and waits again. */
async function endProcesses(list: () => number[]): Promise<{ killed: number; left: number[] }> {
  const stuck = await waitGone(list);
  killAll(stuck);
  return { killed: stuck.length, left: stuck.length > 0 ? await waitGone(list) : [] };
}

/** The cgroup.procs files of a cgroup dir and every cgroup below it. */
function procsFilesBelow(dir: string): string[] {
  const subdirs = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory());
  return [join(dir, 'cgroup.procs'), ...subdirs.flatMap((e) => procsFilesBelow(join(dir, e.name)))];
}

/** Kills what still runs in the agent's cgroups (a process a container left), and waits. */
export async function killCgroupProcesses(layout: CgroupLayout): Promise<StepResult> {
  const procsFiles = (await existingCgroupDirs(layout, layout.parent)).flatMap(procsFilesBelow);
  const pids = () => [...new Set(procsFiles.flatMap((f) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map(Number) : [])))];
  const found = pids();
  if (found.length === 0) return nothing();
  killAll(found);
  const left = await waitGone(pids);
  return { removed: `processes: killed ${found.length - left.length} left in ${layout.parent}`, failed: left.length > 0 ? [`processes ${left.join(', ')} in ${layout.parent} did not end`] : [] };
}

/**
 * The agent's mounts under its state folder: container root filesystems (containers/<id>/rootfs)
 * and pod volumes (pods/<uid>/volumes/...), deepest first. Any other mount there is not the
 * agent's: it stays, and is reported (the state folder is then not removed).
 */
export async function unmountAll(stateDir: string): Promise<StepResult> {
  const below = mountsUnder(stateDir).filter((m) => m !== stateDir).sort((a, b) => b.length - a.length);
  // Below a rootfs too: a mount a container's propagated back to the host is inside the agent's.
  const ours = (m: string) => /^(containers\/[^/]+\/rootfs(\/.+)?|pods\/[^/]+\/volumes\/.+)$/.test(relative(stateDir, m));
  const failed = below.filter((m) => !ours(m)).map((m) => `mount ${m} is not the agent's: left mounted`);
  let unmounted = 0;
  for (const mount of below.filter(ours)) {
    // A mount stacked on the same point shows as many times as it was mounted.
    try {
      await run('umount', [mount]).catch(() => run('umount', ['--lazy', mount]));
      unmounted++;
    } catch (e) {
      failed.push(why(e));
    }
  }
  return { removed: unmounted > 0 ? `mounts: unmounted ${unmounted} (container root filesystems and pod volumes)` : undefined, failed };
}

/** The pods' network namespaces; deleting one takes its veth with it. */
export async function removePodNetns(uids: string[]): Promise<StepResult> {
  const present = uids.map(netnsNameOf).filter((n) => existsSync(netnsPathOf(n)));
  const failed: string[] = [];
  for (const name of present) await run('ip', ['netns', 'delete', name]).catch((e: unknown) => failed.push(why(e)));
  const removed = present.length - failed.length;
  return { removed: removed > 0 ? `network namespaces: deleted ${removed}` : undefined, failed };
}

/**
 * host-local's allocations (one file per IP, named by the address): they go with the state folder,
 * which gives the addresses back to the node's range. Counted here so that the user sees them.
 */
export function countPodIPs(stateDir: string): StepResult {
  const ipam = join(stateDir, 'cni', 'ipam');
  const ips = entries(ipam).flatMap((network) => entries(join(ipam, network)).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)));
  return { removed: ips.length > 0 ? `pod IPs: released ${ips.length}` : undefined, failed: [] };
}

/** The node bridge the CNI bridge plugin made for the agent's pods (in --cni-netns when given). */
export async function removeBridge(stateDir: string, bridge: string, netns: string | undefined): Promise<StepResult> {
  // Only an agent that set up pod networks made the bridge; and a test host's netns may be gone.
  if (!existsSync(join(stateDir, 'cni')) || (netns && !existsSync(netnsPathOf(netns)))) return nothing();
  const ns = netns ? ['-n', netns] : [];
  const exists = await run('ip', [...ns, 'link', 'show', 'dev', bridge]).then(() => true, () => false);
  if (!exists) return nothing();
  try {
    await run('ip', [...ns, 'link', 'delete', 'dev', bridge, 'type', 'bridge']);
    return { removed: `bridge: deleted ${bridge}${netns ? ` (network namespace ${netns})` : ''}`, failed: [] };
  } catch (e) {
    return { failed: [why(e)] };
  }
}

/**
 * The service proxy's iptables rules and the routes to other nodes' pods, when the state says the
 * agent made them: its jumps and its own chains only — never a flush, which can cut off the SSH
 * session that runs this reset.
 */
export async function removeNetworkRules(stateDir: string): Promise<StepResult> {
  const state = readNetworkState(stateDir);
  if (!state || (state.netns && !existsSync(netnsPathOf(state.netns)))) return nothing();
  const removed: string[] = [];
  const failed: string[] = [];
  try {
    const { chains } = await new Iptables(state.iptables, state.netns).removeAll();
    if (chains > 0) removed.push(`${chains} iptables chains (iptables-${state.iptables})`);
  } catch (e) {
    failed.push(why(e));
  }
  try {
    const ns = state.netns ? ['-n', state.netns] : [];
    const routes = (await run('ip', [...ns, '-4', 'route', 'show', 'proto', ROUTE_PROTOCOL])).trim().split('\n').filter(Boolean).length;
    if (routes > 0) {
      await run('ip', [...ns, '-4', 'route', 'flush', 'proto', ROUTE_PROTOCOL]);
      removed.push(`${routes} routes to other nodes' pods`);
    }
  } catch (e) {
    failed.push(why(e));
  }
  return { removed: removed.length ? `network: removed ${removed.join(' and ')}` : undefined, failed };
}

/** The agent's cgroup tree in every hierarchy, and /kubelab once no agent uses it. */
export async function removeCgroups(layout: CgroupLayout): Promise<StepResult> {
  const dirs = await existingCgroupDirs(layout, layout.parent);
  if (dirs.length === 0) return nothing();
  const pods = new Set(dirs.flatMap((d) => readdirSync(d).filter((c) => c.startsWith('pod'))));
  try {
    await removeCgroupTree(layout, layout.parent);
  } catch (e) {
    return { failed: [why(e)] };
  }
  if (posix.dirname(layout.parent) === '/kubelab') {
    for (const d of await existingCgroupDirs(layout, '/kubelab')) await rmdir(d).catch(() => undefined); // another agent's still there
  }
  return { removed: `cgroups: removed ${layout.parent} (${pods.size} pod cgroups)`, failed: [] };
}

/**
 * A folder removed whole, unless a mount is still below it (deleting into it is not ours). An
 * empty one goes without a word: nothing was left in it (`runc list` makes its root, for one).
 */
export async function removeFolder(kind: string, dir: string): Promise<StepResult> {
  if (!existsSync(dir)) return nothing();
  if (readdirSync(dir).length === 0) return rmdir(dir).then(nothing, (e: unknown) => ({ failed: [`${kind} ${dir}: ${why(e)}`] }));
  // A folder that is itself a mount (a disk of its own, a test host's private folder) is emptied.
  const mounted = mountsUnder(dir).filter((m) => m !== dir);
  if (mounted.length > 0) return { failed: [`${kind} ${dir}: not removed, ${mounted.join(', ')} still mounted`] };
  try {
    if (mountsUnder(dir).includes(dir)) {
      for (const entry of readdirSync(dir)) await rm(join(dir, entry), { recursive: true, force: true });
      return { removed: `${kind}: emptied ${dir} (a mount point of its own)`, failed: [] };
    }
    await rm(dir, { recursive: true, force: true });
    return { removed: `${kind}: removed ${dir}`, failed: [] };
  } catch (e) {
    return { failed: [`${kind} ${dir}: ${why(e)}`] };
  }
}
