// Service ports → the kernel: builds the whole rule set, diffs it against what the last sync
// applied and restores only the chains that changed. After a restart (or a failed restore) what
// is in the kernel is known by chain name only, so the next sync rewrites every chain.
import { buildRules, restoreText, type AppliedRules, type ServicePortRules } from './iptables-rules.ts';
import type { Iptables } from './iptables.ts';
import type { ProxyConfig, ProxyServicePort } from './proxy-model.ts';
import { RuleCache } from './rule-cache.ts';

export interface SyncResult {
  /** Wall time of building, diffing and restoring. */
  ms: number;
  /** Restore lines written (0: nothing changed). */
  lines: number;
  /** Every chain was rewritten. */
  full: boolean;
}

export class RuleSync {
  private applied?: AppliedRules;
  private readonly cache = new RuleCache<ServicePortRules>();

  constructor(private readonly iptables: Iptables, private readonly config: ProxyConfig) {}

  /** Forgets what was applied: the next sync rewrites every owned chain found in the kernel. */
  async forget(): Promise<void> {
    const owned = await this.iptables.ownedChains();
    const unknown = (chains: string[]) => new Map(chains.map((c): [string, undefined] => [c, undefined]));
    this.applied = { nat: unknown(owned.nat), filter: unknown(owned.filter) };
  }

  async apply(ports: readonly ProxyServicePort[]): Promise<SyncResult> {
    const started = performance.now();
    if (!this.applied) await this.forget();
    const full = [...this.applied!.nat.values()].every((r) => r === undefined);
    const rules = buildRules(ports, this.config, this.cache);
    const text = restoreText(rules, this.applied);
    try {
      await this.iptables.restore(text);
    } catch (e) {
      this.applied = undefined; // the kernel may hold anything now: rewrite all next time
      throw e;
    }
    this.applied = rules;
    return { ms: performance.now() - started, lines: text ? text.split('\n').length - 1 : 0, full };
  }
}
