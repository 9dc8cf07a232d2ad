// The agent's service proxy (kube-proxy's iptables mode): a change to a Service or its
// EndpointSlices recomputes that service's ports only, and one sync shortly after writes the chains
// that changed. Syncs never overlap; changes that arrive during one are taken by the next. A full
// rewrite runs every few minutes, repairing rules someone removed. When the agent stops, the rules
// stay: the pods keep being reachable while the control plane (or this agent) is away.
import type { Iptables } from './iptables.ts';
import type { ProxyServicePort } from './proxy-model.ts';
import { RuleSync, type SyncResult } from './rule-sync.ts';
import type { ServiceCache } from './service-cache.ts';
import { serviceProxyPorts } from './service-ports.ts';

export interface ProxierOptions {
  cache: ServiceCache;
  iptables: Iptables;
  nodeName: string;
  /** The pod range (kube-proxy's --cluster-cidr): what is not from it is masqueraded. */
  clusterCIDR: string;
  log: (line: string) => void;
  /** How long changes are gathered before a sync (default 50 ms). */
  batchMs?: number;
  /** Full rewrite period (default 5 minutes; kube-proxy's syncPeriod). */
  fullSyncMs?: number;
}

const RETRY_MS = 5_000;

export class Proxier {
  private readonly sync: RuleSync;
  private readonly ports = new Map<string, ProxyServicePort[]>();
  private readonly dirty = new Set<string>();
  private timer?: NodeJS.Timeout;
  private fullTimer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private waiters: (() => void)[] = [];
  /** The last sync's figures (for the benchmark and the logs). */
  last?: SyncResult;

  constructor(private readonly opts: ProxierOptions) {
    this.sync = new RuleSync(opts.iptables, { clusterCIDR: opts.clusterCIDR });
    opts.cache.onChange((key) => {
      this.dirty.add(key);
      this.schedule(opts.batchMs ?? 50);
    });
  }

  /** A first full sync once the cache is listed, then the jumps into the chains it made. */
  async start(): Promise<void> {
    for (const s of this.opts.cache.services()) this.dirty.add(`${s.metadata?.namespace}/${s.metadata?.name}`);
    await this.sync.forget();
    this.schedule(0);
    await this.synced();
    await this.opts.iptables.ensureJumps();
    this.fullTimer = setInterval(() => void this.full(), this.opts.fullSyncMs ?? 300_000);
    this.fullTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.fullTimer);
  }

  /** Resolves after the next sync that started after this call. */
  synced(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private async full(): Promise<void> {
    await this.sync.forget().catch(() => undefined);
    this.schedule(0);
    await this.synced();
    await this.opts.iptables.ensureJumps().catch((e: Error) => this.opts.log(`agent: service proxy: ${e.message}`));
  }

  private schedule(ms: number): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.running) {
        void this.running.then(() => this.schedule(0));
        return;
      }
      this.running = this.runSync().finally(() => (this.running = undefined));
    }, ms);
  }

  private async runSync(): Promise<void> {
    const waiters = this.waiters.splice(0);
    for (const key of this.dirty) this.recompute(key);
    this.dirty.clear();
    try {
      this.last = await this.sync.apply([...this.ports.values()].flat());
      if (this.last.full) this.opts.log(`agent: service proxy: ${this.ports.size} services programmed in ${Math.round(this.last.ms)} ms (iptables-${this.opts.iptables.backend})`);
    } catch (e) {
      this.opts.log(`agent: service proxy: sync failed, again in ${RETRY_MS / 1000} s: ${(e as Error).message}`);
      this.waiters.unshift(...waiters);
      setTimeout(() => this.schedule(0), RETRY_MS).unref();
      return;
    }
    for (const w of waiters) w();
  }

  private recompute(key: string): void {
    const [namespace, name] = key.split('/') as [string, string];
    const svc = this.opts.cache.service(namespace, name);
    const ports = svc ? serviceProxyPorts(svc, this.opts.cache.endpointSlices(namespace, name), this.opts.nodeName) : [];
    if (ports.length) this.ports.set(key, ports);
    else this.ports.delete(key);
  }
}
