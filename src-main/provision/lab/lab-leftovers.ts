// What of a lab is still on the machine: removal returns it (empty when clean), and tests
// check it. Found by the lab's names and its state file, never from memory of this process, so
// that a lab made by a process that crashed is found as well.
import { existsSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readLabState } from './lab-state.ts';
import { labRules, linkNames, netnsNames } from './lab-network.ts';
import { mountNamespacesUsing, processesIn } from './lab-processes.ts';
import { isLabLink, isLabNetns, ruleComment, statePath } from './names.ts';

export interface Leftovers {
  /** `pid command` of processes in a host's namespaces. */
  processes: string[];
  netns: string[];
  links: string[];
  /** Mount points (in any mount namespace) of mounts from the hosts' folders. */
  mounts: string[];
  /** iptables rules of the lab, as `iptables -S` prints them. */
  rules: string[];
  /** The hosts' folders and the lab's state and known_hosts files (the lab's key pair stays). */
  files: string[];
}

export const isClean = (l: Leftovers): boolean => Object.values(l).every((v: string[]) => v.length === 0);

/** The namespaces of the lab's hosts: `net:[inode]` of their netns, `mnt:[inode]` recorded. */
export function labNamespaces(lab: string, dir: string, netns: string[]): Set<string> {
  const ns = new Set<string>();
  for (const n of netns) {
    try {
      ns.add(`net:[${statSync(`/run/netns/${n}`).ino}]`);
    } catch { /* deleted meanwhile */ }
  }
  for (const h of readLabState(lab, dir)?.hosts ?? []) if (h.mntNs) ns.add(h.mntNs);
  return ns;
}

/** The machine's own mount namespaces: a stray mount there is unmounted, its processes never killed. */
export function machineMountNamespaces(): Set<string> {
  const own = new Set([readlinkSync('/proc/self/ns/mnt')]);
  try {
    own.add(readlinkSync('/proc/1/ns/mnt'));
  } catch { /* init is not ours to read (in a sandbox) */ }
  return own;
}

export const labNetns = async (lab: string): Promise<string[]> => (await netnsNames()).filter((n) => isLabNetns(lab, n));

/** The hosts' folders in `dir`: those of the state file and any named like a lab host. */
export function hostDirs(lab: string, dir: string): string[] {
  const named = existsSync(dir) ? readdirSync(dir).filter((f) => new RegExp(`^${lab}-node-\\d+$`).test(f)).map((f) => join(dir, f)) : [];
  const recorded = readLabState(lab, dir)?.layout.hosts.map((h) => h.dir) ?? [];
  return [...new Set([...recorded, ...named])];
}

export const labFiles = (lab: string, dir: string): string[] => [statePath(lab, dir), join(dir, `${lab}.known_hosts`)];

export async function leftovers(lab: string, dir: string): Promise<Leftovers> {
  const netns = await labNetns(lab);
  const dirs = hostDirs(lab, dir);
  const mountsByNs = mountNamespacesUsing(dirs);
  const namespaces = labNamespaces(lab, dir, netns);
  for (const mnt of mountsByNs.keys()) if (!machineMountNamespaces().has(mnt)) namespaces.add(mnt);
  const links = (await linkNames()).filter((l) => isLabLink(lab, l));
  return {
    processes: processesIn(namespaces).map((p) => `${p.pid} ${p.command}`),
    netns,
    links,
    mounts: [...mountsByNs.values()].flat(),
    rules: await labRules(ruleComment(lab)),
    files: [...dirs, ...labFiles(lab, dir)].filter((f) => existsSync(f)),
  };
}
