// The iptables the node uses, nft or legacy, picked as kube-proxy's iptables-wrapper picks it: the
// backend that already holds kube rules (a restarted agent), else the one with more rules (what
// the rest of the machine, Docker or a firewall, uses), else nft. The two keep separate tables in
// the kernel, so rules in the wrong one would be bypassed or fight the machine's.
import { execFile } from 'node:child_process';
import { JUMPS, OWNED_CHAIN, PORTMAP_CHAIN, PROXY_CHAIN, type Table } from './iptables-rules.ts';

export type IptablesBackend = 'nft' | 'legacy';

const run = (file: string, args: string[], netns: string | undefined, input?: string): Promise<string> => {
  const [cmd, argv] = netns ? ['ip', ['netns', 'exec', netns, file, ...args]] : [file, args];
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, argv, { timeout: 60_000, maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
    // A command that fails at once closes its stdin first: that is its exit status's to report.
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(input ?? '');
  });
};

export class Iptables {
  constructor(readonly backend: IptablesBackend, private readonly netns?: string) {}

  private bin(suffix = ''): string {
    return `iptables-${this.backend}${suffix}`;
  }

  /** Applies restore text as one transaction per table, leaving what it does not name alone. */
  async restore(text: string): Promise<void> {
    if (text) await run(this.bin('-restore'), ['-w', '5', '--noflush'], this.netns, text);
  }

  save(table: Table): Promise<string> {
    return run(this.bin('-save'), ['-t', table], this.netns);
  }

  /** The proxy's chains present in the kernel, per table (what a restarted agent finds). */
  async ownedChains(): Promise<Record<Table, string[]>> {
    // One save of every table: each iptables process is a good part of a sync's time.
    const owned: Record<Table, string[]> = { nat: [], filter: [] };
    let table: string | undefined;
    for (const line of (await run(this.bin('-save'), [], this.netns)).split('\n')) {
      if (line.startsWith('*')) table = line.slice(1);
      const chain = /^:(\S+)/.exec(line)?.[1];
      if (chain && (table === 'nat' || table === 'filter') && PROXY_CHAIN.test(chain)) owned[table].push(chain);
    }
    return owned;
  }

  /** The built-in chains' jumps into ours, added once, first in their chain, as kube-proxy does. */
  async ensureJumps(): Promise<void> {
    for (const j of [...JUMPS].reverse()) {
      const rule = jumpRule(j);
      const present = await run(this.bin(), ['-w', '5', '-t', j.table, '-C', j.from, ...rule], this.netns).then(() => true, () => false);
      if (!present) await run(this.bin(), ['-w', '5', '-t', j.table, '-I', j.from, ...rule], this.netns);
    }
  }

  /**
   * Everything the node network added: every rule of a built-in chain that jumps into one of its
   * chains (kube-proxy's jumps, portmap's), then those chains emptied and deleted — one restore per
   * table. Never a flush of a built-in chain, which could cut off the SSH session running this.
   * portmap's shared chains go only when no other pod's hostPort chain (CNI-DN-*) is left.
   */
  async removeAll(): Promise<{ chains: number }> {
    let count = 0;
    const tables: string[] = [];
    for (const table of ['filter', 'nat'] as const) {
      const saved = (await this.save(table)).split('\n');
      const chains = saved.flatMap((l) => (/^:(\S+)/.exec(l)?.[1] ?? [])).filter((c) => OWNED_CHAIN.test(c));
      const portmapInUse = saved.some((l) => /^:CNI-DN-/.test(l));
      const owned = new Set(chains.filter((c) => !(portmapInUse && PORTMAP_CHAIN.test(c))));
      if (owned.size === 0) continue;
      const jumps = saved.filter((l) => {
        const m = /^-A (\S+) .*-j (\S+)$/.exec(l);
        return m && !owned.has(m[1]!) && owned.has(m[2]!);
      });
      tables.push([`*${table}`, ...jumps.map((l) => l.replace(/^-A /, '-D ')), ...[...owned].map((c) => `:${c} - [0:0]`), ...[...owned].map((c) => `-X ${c}`), 'COMMIT'].join('\n'));
      count += owned.size;
    }
    if (tables.length) await this.restore(`${tables.join('\n')}\n`);
    return { chains: count };
  }
}

function jumpRule(j: (typeof JUMPS)[number]): string[] {
  return [...(j.args?.split(' ') ?? []), '-m', 'comment', '--comment', j.comment, '-j', j.to];
}

async function ruleCount(backend: IptablesBackend, netns?: string): Promise<{ kube: number; all: number } | undefined> {
  try {
    const text = (await run(`iptables-${backend}-save`, [], netns)).split('\n');
    return { kube: text.filter((l) => /^:KUBE-/.test(l)).length, all: text.filter((l) => l.startsWith('-A ')).length };
  } catch {
    return undefined; // not installed, or the kernel lacks it
  }
}

export async function detectIptables(netns?: string): Promise<Iptables> {
  const [nft, legacy] = await Promise.all([ruleCount('nft', netns), ruleCount('legacy', netns)]);
  if (!nft && !legacy) throw new Error('neither iptables-nft nor iptables-legacy works here: install iptables (the service proxy needs it)');
  let backend: IptablesBackend = nft ? 'nft' : 'legacy';
  if (nft && legacy && (legacy.kube > nft.kube || (legacy.kube === nft.kube && legacy.all > nft.all))) backend = 'legacy';
  return new Iptables(backend, netns);
}
