// Test hosts: machines made of namespaces on this one, for `kubelab lab up` and the integration
// tests. Each host has its own network (a netns on the lab's bridge), hostname, machine-id, the
// folders an installer writes, and an sshd, so that provisioning reaches it exactly as it
// reaches a real machine: over SSH, as root with the lab's key.
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { step, type ProgressListener } from '../progress.ts';
import { run, runQuietly } from './command.ts';
import { fingerprintOf, ensureKeyPair, hostPublicKey, prepareSshd, SSH_PORT, startHostSshd } from './host-sshd.ts';
import { prepareHostRoot } from './host-root.ts';
import { removeLabState, writeLabState, type LabState } from './lab-state.ts';
import { createBridge, createHostNetwork, linkNames, netnsNames, removeLabRules, subnetsInUse } from './lab-network.ts';
import { hostDirs, isClean, labFiles, labNamespaces, labNetns, leftovers, machineMountNamespaces, type Leftovers } from './lab-leftovers.ts';
import { killAll, mountNamespacesUsing } from './lab-processes.ts';
import { ensureMountPoints, releaseMountPoints } from './mount-points.ts';
import { bridgeName, isLabLink, isLabNetns, labLayout, labNameProblem, MAX_HOSTS, ruleComment, statePath, subnetOf } from './names.ts';

export type { Leftovers } from './lab-leftovers.ts';
export { leftovers, isClean } from './lab-leftovers.ts';

export interface TestHost {
  /** Its name within the lab: node-0, node-1, ... */
  name: string;
  /** `<lab>-node-<i>`: what `hostname` says on it. */
  hostname: string;
  address: string;
  netns: string;
  sshPort: number;
  /** `SHA256:...` of its ed25519 host key, as ssh shows it on first connection. */
  hostKeyFingerprint: string;
  /** Its public host key line (`ssh-ed25519 AAAA... comment`). */
  hostKey: string;
  /** The host's folder: `root/<path>` holds what it writes to its private paths. */
  dir: string;
  /** sshd's pid: it holds the host's namespaces. */
  pid: number;
}

export interface TestLab {
  lab: string;
  bridge: string;
  /** The machine's address on the bridge, the only address the hosts reach. */
  gateway: string;
  subnet: string;
  /** The lab's private key (root on every host); `.pub` beside it. */
  keyPath: string;
  /** A known_hosts file with every host's key, for `ssh -o UserKnownHostsFile=`. */
  knownHostsPath: string;
  hosts: TestHost[];
}

export interface TestLabOptions {
  lab: string;
  count: number;
  /** The lab's folder: state file, key pair, one folder per host. */
  dir: string;
  /** The lab's subnet is 198.18.<subnetIndex>.0/24; by default the first one free. */
  subnetIndex?: number;
  report?: ProgressListener;
}

const REQUIRED = [
  ['ip', 'iproute2'], ['iptables', 'iptables'], ['sysctl', 'procps'], ['nsenter', 'util-linux'], ['unshare', 'util-linux'],
  ['ssh-keygen', 'openssh-client'], ['/usr/sbin/sshd', 'openssh-server'],
] as const;

async function checkMachine(): Promise<void> {
  if (process.platform !== 'linux') throw new Error('test hosts need Linux (network namespaces)');
  if (process.getuid?.() !== 0) throw new Error('test hosts need root (network namespaces, a bridge, mounts)');
  for (const [tool, pkg] of REQUIRED) {
    const found = tool.startsWith('/') ? existsSync(tool) : await runQuietly('sh', ['-c', `command -v ${tool}`]);
    if (!found) throw new Error(`test hosts need ${tool}: install the Debian package ${pkg}`);
  }
}

async function chooseSubnet(lab: string, wanted: number | undefined): Promise<number> {
  const used = await subnetsInUse();
  used.delete([...used.entries()].find(([, dev]) => dev === bridgeName(lab))?.[0] ?? -1);
  if (wanted !== undefined) {
    const by = used.get(wanted);
    if (by) throw new Error(`subnet 198.18.${wanted}.0/24 is already used by ${by}: choose another subnetIndex`);
    return wanted;
  }
  for (let i = 0; i < 256; i++) if (!used.has(i)) return i;
  throw new Error('every subnet of 198.18.0.0/16 is in use');
}

function validate({ lab, count, subnetIndex: s }: TestLabOptions): void {
  const problem = labNameProblem(lab);
  if (problem) throw new Error(problem);
  if (!Number.isInteger(count) || count < 1 || count > MAX_HOSTS) throw new Error(`count ${count} must be an integer from 1 to ${MAX_HOSTS}`);
  if (s !== undefined && (!Number.isInteger(s) || s < 0 || s > 255)) throw new Error(`subnetIndex ${s} must be an integer from 0 to 255 (198.18.<subnetIndex>.0/24)`);
}

/**
 * Creates `count` test hosts. A lab of the same name left in `dir` (running or crashed) is
 * removed first. On failure everything made so far is removed again.
 */
export async function createTestHosts(options: TestLabOptions): Promise<TestLab> {
  validate(options);
  await checkMachine();
  const { lab, count } = options;
  const dir = resolve(options.dir);
  const report: ProgressListener = options.report ?? (() => undefined);
  const earlier = await removeTestHosts(lab, dir);
  if (!isClean(earlier)) throw new Error(`an earlier lab "${lab}" could not be removed: ${describeLeftovers(earlier)}`);
  const layout = labLayout(lab, dir, await chooseSubnet(lab, options.subnetIndex), count);
  mkdirSync(dir, { recursive: true });
  const state: LabState = { layout, hosts: layout.hosts.map((h) => ({ netns: h.netns })) };
  writeLabState(dir, state);
  try {
    await step(report, lab, 'network', async () => {
      await createBridge(layout);
      for (const h of layout.hosts) await createHostNetwork(layout, h);
    });
    const keyPath = join(dir, 'id_ed25519');
    await ensureKeyPair(keyPath, `kubelab-lab-${lab}`);
    const labPublicKey = readFileSync(`${keyPath}.pub`, 'utf8');
    ensureMountPoints();
    const hosts = await Promise.all(layout.hosts.map((h, i) => step(report, h.hostname, 'start', async (): Promise<TestHost> => {
      prepareHostRoot(layout, h);
      const files = await prepareSshd(h, labPublicKey);
      const pid = await startHostSshd(h, files);
      state.hosts[i] = { netns: h.netns, pid, mntNs: readlinkSync(`/proc/${pid}/ns/mnt`) };
      writeLabState(dir, state);
      const hostKey = hostPublicKey(files);
      return { name: h.name, hostname: h.hostname, address: h.address, netns: h.netns, sshPort: SSH_PORT, hostKeyFingerprint: fingerprintOf(hostKey), hostKey, dir: h.dir, pid };
    })));
    const knownHostsPath = labFiles(lab, dir)[1]!;
    writeFileSync(knownHostsPath, hosts.map((h) => `${h.address} ${h.hostKey}\n`).join(''));
    return { lab, bridge: layout.bridge, gateway: layout.gateway, subnet: subnetOf(layout.subnetIndex), keyPath, knownHostsPath, hosts };
  } catch (e) {
    const left = await removeTestHosts(lab, dir);
    if (!isClean(left)) (e as Error).message += `; left behind: ${describeLeftovers(left)}`;
    throw e;
  }
}

/** One line naming what was left. */
export function describeLeftovers(l: Leftovers): string {
  return Object.entries(l).filter(([, v]) => v.length > 0).map(([k, v]) => `${k}: ${(v as string[]).join(', ')}`).join('; ');
}

/** Another lab is on the machine (its bridge or a host netns): shared mount points stay. */
async function otherLabsExist(lab: string): Promise<boolean> {
  return (await netnsNames()).some((n) => n.startsWith('klab-') && !isLabNetns(lab, n))
    || (await linkNames()).some((l) => l.startsWith('klab-') && !isLabLink(lab, l));
}

/**
 * Removes the lab `lab` of `dir`: its hosts' processes, namespaces, links, rules and folders,
 * also those of a run that crashed. Idempotent. Resolves with what could not be removed.
 */
export async function removeTestHosts(lab: string, dirOption: string): Promise<Leftovers> {
  const problem = labNameProblem(lab);
  if (problem) throw new Error(problem);
  const dir = resolve(dirOption);
  const dirs = hostDirs(lab, dir);
  const netns = await labNetns(lab);
  const namespaces = labNamespaces(lab, dir, netns);
  const machine = machineMountNamespaces();
  for (const mnt of mountNamespacesUsing(dirs).keys()) if (!machine.has(mnt)) namespaces.add(mnt);
  await killAll(namespaces);
  for (const n of netns) await runQuietly('ip', ['netns', 'delete', n]);
  // Veths go with their netns; what is still here (a netns deleted by hand) goes by name.
  for (const l of (await linkNames()).filter((l) => isLabLink(lab, l))) await runQuietly('ip', ['link', 'delete', l]);
  await removeLabRules(ruleComment(lab));
  // Mounts from the hosts' folders in the machine's own namespace (none, unless made by hand).
  for (const [mnt, points] of mountNamespacesUsing(dirs)) if (machine.has(mnt)) for (const p of points.reverse()) await runQuietly('umount', ['-l', p]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  for (const f of labFiles(lab, dir).filter((f) => f !== statePath(lab, dir))) rmSync(f, { force: true });
  const keptMountPoints = releaseMountPoints(await otherLabsExist(lab));
  const left = await leftovers(lab, dir);
  // The state file goes last: while anything is left, it tells the next removal where to look.
  if (left.files.every((f) => f === statePath(lab, dir)) && isClean({ ...left, files: [] })) {
    removeLabState(lab, dir);
    left.files = [];
  }
  return { ...left, files: [...left.files, ...keptMountPoints] };
}
