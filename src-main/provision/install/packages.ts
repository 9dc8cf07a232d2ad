// What a node lacks, as packages of its own package manager: the only source of packages
// provisioning uses, so a lab without internet works from a local mirror. Installed only with the
// user's consent (--install-deps, the wizard's checkbox).
import type { HostFacts } from '../preflight/host-facts.ts';

export type PackageManager = NonNullable<HostFacts['packageManager']>;

/** A need (a command, or the CNI plugins) and its package on each manager. */
const PACKAGES: { need: string; present: (f: HostFacts, runtime: string) => boolean; names: Record<PackageManager, string> }[] = [
  { need: 'node', present: (f) => nodeMajor(f) >= 18, names: { apt: 'nodejs', dnf: 'nodejs', apk: 'nodejs' } },
  { need: 'runc', present: (f, rt) => rt !== 'runc' || Boolean(f.commands.runc), names: { apt: 'runc', dnf: 'runc', apk: 'runc' } },
  { need: 'crun', present: (f, rt) => rt !== 'crun' || Boolean(f.commands.crun), names: { apt: 'crun', dnf: 'crun', apk: 'crun' } },
  { need: 'ip', present: (f) => Boolean(f.commands.ip), names: { apt: 'iproute2', dnf: 'iproute', apk: 'iproute2' } },
  { need: 'iptables', present: (f) => Boolean(f.commands.iptables), names: { apt: 'iptables', dnf: 'iptables', apk: 'iptables' } },
  { need: 'script', present: (f) => Boolean(f.commands.script), names: { apt: 'bsdutils', dnf: 'util-linux', apk: 'util-linux-misc' } },
  { need: 'cni', present: (f) => ['bridge', 'host-local', 'loopback', 'portmap'].every((p) => f.cniPlugins.includes(p)), names: { apt: 'containernetworking-plugins', dnf: 'containernetworking-plugins', apk: 'cni-plugins' } },
];

function nodeMajor(f: HostFacts): number {
  return f.commands.node ? Number(/^v(\d+)/.exec(f.nodeVersion ?? '')?.[1] ?? 0) : 0;
}

/** The packages to install for what the host lacks (empty when nothing is missing). */
export function missingPackages(facts: HostFacts, runtime: 'runc' | 'crun' = 'runc'): string[] {
  const pm = facts.packageManager;
  if (!pm) return [];
  return PACKAGES.filter((p) => !p.present(facts, runtime)).map((p) => p.names[pm]);
}

/**
 * The root command that installs them. apt first tries what it knows and refreshes its lists only
 * when a package is unknown, so a node whose lists are fresh (or an offline mirror) needs no update.
 */
export function installCommand(pm: PackageManager, packages: string[]): string {
  const list = packages.join(' ');
  if (pm === 'apt') {
    const install = `DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${list}`;
    return `${install} || { apt-get update && ${install}; }`;
  }
  if (pm === 'dnf') return `dnf install -y ${list}`;
  return `apk add --no-cache ${list}`;
}
