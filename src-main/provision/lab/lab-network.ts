// A lab's network: one bridge on the machine with the gateway address, one network namespace
// per host with a veth into the bridge and a default route via the gateway. A host reaches the
// gateway (where the control plane listens) and nothing else: the machine never forwards what
// comes from the bridge (forwarding off on it, and a REJECT rule in case a later
// `sysctl ip_forward=1` turns it back on, which resets every interface), and refuses every other
// address of its own.
import { run, runQuietly } from './command.ts';
import type { HostLayout, LabLayout } from './names.ts';

const sysctl = (key: string, value: string) => run('sysctl', ['-qw', `${key}=${value}`]);

/** The iptables rules that fence the lab in, as `iptables -A` arguments. */
function fenceRules(layout: LabLayout): string[][] {
  const tag = ['-m', 'comment', '--comment', layout.ruleComment];
  return [
    ['INPUT', '-i', layout.bridge, '!', '-d', `${layout.gateway}/32`, ...tag, '-j', 'REJECT'],
    // Bridged traffic between hosts (br_netfilter) has the bridge as its way out too: kept.
    ['FORWARD', '-i', layout.bridge, '!', '-o', layout.bridge, ...tag, '-j', 'REJECT'],
  ];
}

export async function createBridge(layout: LabLayout): Promise<void> {
  const { bridge } = layout;
  await run('ip', ['link', 'add', bridge, 'type', 'bridge']);
  await sysctl(`net.ipv4.conf.${bridge}.forwarding`, '0');
  // No IPv6: link-local addresses would be a way around the IPv4 fence.
  await sysctl(`net.ipv6.conf.${bridge}.disable_ipv6`, '1');
  for (const rule of fenceRules(layout)) await run('iptables', ['-w', '-I', ...rule]);
  await run('ip', ['addr', 'add', `${layout.gateway}/24`, 'dev', bridge]);
  await run('ip', ['link', 'set', bridge, 'up']);
}

export async function createHostNetwork(layout: LabLayout, host: HostLayout): Promise<void> {
  const inHost = (...args: string[]) => run('ip', ['-n', host.netns, ...args]);
  await run('ip', ['netns', 'add', host.netns]);
  await run('ip', ['link', 'add', host.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.netns]);
  await sysctl(`net.ipv6.conf.${host.veth}.disable_ipv6`, '1');
  await run('ip', ['link', 'set', host.veth, 'master', layout.bridge, 'up']);
  await inHost('link', 'set', 'lo', 'up');
  await inHost('addr', 'add', `${host.address}/24`, 'dev', 'eth0');
  await inHost('link', 'set', 'eth0', 'up');
  await inHost('route', 'add', 'default', 'via', layout.gateway);
}

/** The lab's rules now in iptables, as `iptables -S` prints them. */
export async function labRules(comment: string): Promise<string[]> {
  const lines = await Promise.all(['INPUT', 'FORWARD'].map((chain) => run('iptables', ['-w', '-S', chain]).catch(() => '')));
  const tagged = new RegExp(`--comment "?${comment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?( |$)`);
  return lines.join('\n').split('\n').filter((l) => l.startsWith('-A ') && tagged.test(l));
}

export async function removeLabRules(comment: string): Promise<void> {
  for (const rule of await labRules(comment)) {
    // Our rules have no spaces inside arguments, so splitting `iptables -S` output is exact.
    const args = rule.replace(/"/g, '').split(' ').slice(1);
    await runQuietly('iptables', ['-w', '-D', ...args]);
  }
}

export async function linkNames(): Promise<string[]> {
  const out = await run('ip', ['-o', 'link', 'show']);
  return out.split('\n').map((l) => l.split(': ')[1]?.split('@')[0] ?? '').filter((n) => n !== '');
}

export async function netnsNames(): Promise<string[]> {
  const out = await run('ip', ['netns', 'list']);
  return out.split('\n').map((l) => l.split(' ')[0]!).filter((n) => n !== '');
}

/** The /24 indexes of 198.18.0.0/16 that interfaces on the machine already use, and by whom. */
export async function subnetsInUse(): Promise<Map<number, string>> {
  const out = await run('ip', ['-o', '-4', 'addr', 'show']);
  const used = new Map<number, string>();
  for (const line of out.split('\n')) {
    const m = /^\d+: (\S+)\s+inet 198\.18\.(\d+)\./.exec(line);
    if (m) used.set(Number(m[2]), m[1]!);
  }
  return used;
}
