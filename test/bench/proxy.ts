// The 'proxy' area: issue 7's benchmark of the agent's service proxy, on real iptables in network
// namespaces of its own. Measures RuleSync.apply (what the Proxier runs on each sync) for 1,000
// services × 3 endpoints into an empty namespace (full sync) and then one endpoint changed or one
// service added (incremental), with iptables-nft and iptables-legacy; and the rate of new TCP
// connections from the node to a pod through its ClusterIP against straight to the pod IP, with
// the 1,000 other services in KUBE-SERVICES ahead of it.
//
// kube-proxy's published iptables sync figures, to read ours against (rows without a target):
// - KEP-3453 "Minimizing iptables-restore input size" (partial syncs, Kubernetes 1.26), on the
//   5,000-node scalability test: network programming latency p50 went from about 27 s to about
//   13 s with partial restores, and to about 5 s with --iptables-min-sync-period 1s; p90/p99 stayed
//   where full resyncs put them.
//   https://github.com/kubernetes/enhancements/tree/master/keps/sig-network/3453-minimize-iptables-restore
// - kubernetes/kubernetes#92836 (kube-proxy's 1 s min-sync-period default): the earlier 10 s
//   default was chosen because of "lots of reports of people whose iptables runs were 4-5 seconds
//   each". https://github.com/kubernetes/kubernetes/issues/92836
// - The NFTables mode blog post (2025): iptables mode's rule count grows with services plus
//   endpoints, and every first packet of a connection walks KUBE-SERVICES rule by rule (O(n)).
//   https://kubernetes.io/blog/2025/02/28/nftables-kube-proxy/
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { servicePortName } from '../../src-main/agent/proxy/chain-names.ts';
import { buildRules, restoreText, type ServicePortRules } from '../../src-main/agent/proxy/iptables-rules.ts';
import { Iptables, type IptablesBackend } from '../../src-main/agent/proxy/iptables.ts';
import type { ProxyConfig, ProxyServicePort } from '../../src-main/agent/proxy/proxy-model.ts';
import { RuleCache } from '../../src-main/agent/proxy/rule-cache.ts';
import { RuleSync } from '../../src-main/agent/proxy/rule-sync.ts';
import { median, percentile } from './stats.ts';
import { Results } from './table.ts';

const SERVICES = Number(process.env.KUBELAB_BENCH_PROXY_SERVICES ?? 1000);
const ENDPOINTS = 3;
const FULL_RUNS = 5;
const CHANGES = 20;
const RATE_SECONDS = Number(process.env.KUBELAB_BENCH_PROXY_RATE_SECONDS ?? 2.5);
const RATE_ROUNDS = 8;
const CONCURRENCY = 16;
const CONFIG: ProxyConfig = { clusterCIDR: '10.42.0.0/16' };

/** The measured pod: its own namespace on a veth, inside the pod range, away from the generated endpoints. */
const POD = { nodeIP: '10.42.250.1', ip: '10.42.250.2', port: 8080, targetPort: 8081, clusterIP: '10.43.255.250', servicePort: 80 };

/** kube-proxy's published iptables-mode figures (see the top of this file), as rows without a target. */
function quoteKubeProxy(results: Results): void {
  const kep = 'https://github.com/kubernetes/enhancements/tree/master/keps/sig-network/3453-minimize-iptables-restore';
  results.add('kube-proxy, 5,000-node test: programming latency p50, full restores [1]', 27, 's');
  results.add('kube-proxy, 5,000-node test: p50 with partial restores (1.26) [1]', 13, 's');
  results.add('kube-proxy, 5,000-node test: p50, partial + min-sync-period 1 s [1]', 5, 's');
  results.add('kube-proxy, large clusters: "iptables runs 4-5 seconds each" [2]', 5, 's');
  results.notes.push(
    'proxy: kube-proxy\'s published iptables figures (rows without a target):',
    `  [1] KEP-3453 "Minimizing iptables-restore input size": ${kep}`,
    '  [2] kubernetes/kubernetes#92836, on the min-sync-period default: https://github.com/kubernetes/kubernetes/issues/92836',
    '  iptables mode walks KUBE-SERVICES rule by rule for each new connection: https://kubernetes.io/blog/2025/02/28/nftables-kube-proxy/',
  );
}

// ---- the services: a realistic mix -------------------------------------------------------------

let podCounter = 0;
/** Pod IPs from 10.42.1.0 on, one new address per call (an endpoint change gets a new pod). */
function nextPodIP(): string {
  const n = podCounter++;
  return `10.42.${1 + (n >> 8)}.${n & 255}`;
}

/**
 * Service i: mostly ClusterIP; every 10th a NodePort (every 40th of those with
 * externalTrafficPolicy Local), every 100th with ClientIP affinity, every 50th without endpoints
 * (a scaled-down deployment), as a lab cluster's services look.
 */
function benchService(i: number): ProxyServicePort {
  const nodePort = i % 10 === 0 ? 30000 + (i % 2700) : undefined;
  return {
    name: servicePortName(`ns-${i % 20}`, `svc-${i}`, 'http'),
    protocol: 'TCP',
    clusterIP: `10.43.${(i + 10) >> 8}.${(i + 10) & 255}`,
    port: 80,
    nodePort,
    externalIPs: [],
    externalTrafficPolicy: nodePort !== undefined && i % 40 === 0 ? 'Local' : 'Cluster',
    affinitySeconds: i % 100 === 5 ? 10800 : undefined,
    endpoints: i % 50 === 7 ? [] : Array.from({ length: ENDPOINTS }, (_, j) => ({ ip: nextPodIP(), port: 8080, local: j === 0 })),
  };
}

/** The one service the connection rate goes through: sorted last, so its rule is KUBE-SERVICES' last VIP. */
const podService: ProxyServicePort = {
  name: servicePortName('zz-bench', 'pod', 'http'), protocol: 'TCP', clusterIP: POD.clusterIP, port: POD.servicePort,
  externalIPs: [], externalTrafficPolicy: 'Cluster', endpoints: [{ ip: POD.ip, port: POD.targetPort, local: true }],
};

// ---- namespaces ------------------------------------------------------------------------------

/** Network namespaces this bench made: each removed in the end, whatever happened. */
class Namespaces {
  private readonly made = new Set<string>();
  private seq = 0;

  add(role: string): string {
    const name = `klbench-proxy-${process.pid}-${role}-${this.seq++}`;
    execFileSync('ip', ['netns', 'add', name]);
    this.made.add(name);
    exec(name, 'ip', ['link', 'set', 'lo', 'up']);
    return name;
  }

  delete(name: string): void {
    if (existsSync(`/run/netns/${name}`)) execFileSync('ip', ['netns', 'delete', name]);
    this.made.delete(name);
  }

  deleteAll(): void {
    for (const n of [...this.made]) this.delete(n);
  }
}

const exec = (netns: string, cmd: string, args: string[]): string => execFileSync('ip', ['netns', 'exec', netns, cmd, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });

/** `iptables-save | grep -c '^-A'`: every rule in the namespace, ours and the built-ins'. */
const ruleCount = (netns: string, backend: IptablesBackend): number => exec(netns, `iptables-${backend}-save`, []).split('\n').filter((l) => l.startsWith('-A ')).length;

// ---- syncs -----------------------------------------------------------------------------------

interface Programmed {
  netns: string;
  sync: RuleSync;
  iptables: Iptables;
}

/** A fresh namespace with the services applied by a first (full) sync, as an agent's start does. */
async function program(namespaces: Namespaces, backend: IptablesBackend, ports: readonly ProxyServicePort[]): Promise<Programmed & { ms: number; lines: number; full: boolean }> {
  const netns = namespaces.add(backend);
  const iptables = new Iptables(backend, netns);
  const sync = new RuleSync(iptables, CONFIG);
  const r = await sync.apply(ports);
  return { netns, sync, iptables, ...r };
}

/**
 * Building and diffing alone, in this process: what of a sync is not iptables-restore. From
 * scratch (a full sync), or with every service port's rules in the cache a RuleSync keeps (what
 * an incremental sync costs besides its one changed port).
 */
function buildMs(ports: readonly ProxyServicePort[], cached: boolean): number {
  const cache = cached ? new RuleCache<ServicePortRules>() : undefined;
  const applied = buildRules(ports, CONFIG, cache);
  const times = Array.from({ length: FULL_RUNS }, () => {
    const t0 = performance.now();
    restoreText(buildRules(ports, CONFIG, cache), cached ? applied : undefined);
    return performance.now() - t0;
  });
  return median(times);
}

/** iptables-restore of the whole rule set into an empty namespace, nothing else: the kernel's and iptables' share. */
async function restoreAloneMs(namespaces: Namespaces, backend: IptablesBackend, ports: readonly ProxyServicePort[]): Promise<number> {
  const text = restoreText(buildRules(ports, CONFIG));
  const times: number[] = [];
  for (let run = 0; run < 3; run++) {
    const netns = namespaces.add(`${backend}-restore`);
    const t0 = performance.now();
    await new Iptables(backend, netns).restore(text);
    times.push(performance.now() - t0);
    namespaces.delete(netns);
  }
  return median(times);
}

async function benchSyncs(results: Results, namespaces: Namespaces, backend: IptablesBackend): Promise<void> {
  const ports = Array.from({ length: SERVICES }, (_, i) => benchService(i));
  const label = `${SERVICES.toLocaleString('en')} services × ${ENDPOINTS} endpoints, iptables-${backend}`;
  const fullMs: number[] = [];
  let kept: Programmed | undefined;
  let fullLines = 0;
  for (let run = 0; run < FULL_RUNS; run++) {
    const p = await program(namespaces, backend, ports);
    if (!p.full) throw new Error(`the first sync into an empty namespace was not a full one (iptables-${backend})`);
    fullMs.push(p.ms);
    fullLines = p.lines;
    if (kept) namespaces.delete(kept.netns);
    kept = p;
  }
  results.add(`full sync, ${label}: median of ${FULL_RUNS}`, median(fullMs), 'ms', { kind: 'max', value: 1000 });
  results.add(`full sync, ${label}: max`, Math.max(...fullMs), 'ms', { kind: 'max', value: 1000 });
  results.add(`  of which building + diffing the rules (in process)`, buildMs(ports, false), 'ms');
  results.add(`  of which iptables-restore of that text (alone, median of 3)`, await restoreAloneMs(namespaces, backend, ports), 'ms');
  results.add(`  restore lines written by the full sync`, fullLines, 'lines');
  results.add(`  rules in the namespace after it (iptables-save '^-A')`, ruleCount(kept!.netns, backend), 'rules');

  const { sync, netns } = kept!;
  const changed: { ms: number[]; lines: number[] } = { ms: [], lines: [] };
  for (let c = 0; c < CHANGES; c++) {
    // A pod of one service replaced: one KUBE-SEP chain goes, one comes, the KUBE-SVC chain changes.
    const target = ports[(c * 37 + 1) % ports.length];
    if (target.endpoints.length === 0) continue;
    target.endpoints = [{ ...target.endpoints[0], ip: nextPodIP() }, ...target.endpoints.slice(1)];
    const r = await sync.apply(ports);
    if (r.full) throw new Error('an endpoint change made a full sync');
    changed.ms.push(r.ms);
    changed.lines.push(r.lines);
  }
  results.add(`incremental, one endpoint changed, iptables-${backend}: median of ${changed.ms.length}`, median(changed.ms), 'ms', { kind: 'max', value: 100 });
  results.add(`incremental, one endpoint changed, iptables-${backend}: p90`, percentile(changed.ms, 90), 'ms', { kind: 'max', value: 100 });
  results.add(`  restore lines written per endpoint change`, median(changed.lines), 'lines');
  results.add(`  of which building + diffing, the unchanged ports from the cache`, buildMs(ports, true), 'ms');

  const added: { ms: number[]; lines: number[] } = { ms: [], lines: [] };
  for (let c = 0; c < CHANGES; c++) {
    // A new service: its chains, and KUBE-SERVICES (one rule more) rewritten whole.
    ports.push(benchService(SERVICES + c));
    const r = await sync.apply(ports);
    added.ms.push(r.ms);
    added.lines.push(r.lines);
  }
  results.add(`incremental, one service added, iptables-${backend}: median of ${CHANGES}`, median(added.ms), 'ms', { kind: 'max', value: 100 });
  results.add(`incremental, one service added, iptables-${backend}: p90`, percentile(added.ms, 90), 'ms', { kind: 'max', value: 100 });
  results.add(`  restore lines written per service added`, median(added.lines), 'lines');
  namespaces.delete(netns);
}

// ---- connection rate -------------------------------------------------------------------------

/**
 * Answers each connection's first bytes and closes, as a tiny HTTP-like service would. The
 * service's target port is another port of the same server: a direct connection and a DNATed one
 * from the same client port would otherwise share one reply tuple, and the second would be
 * dropped as a conntrack clash (a lost SYN, a second's retransmit) while the first's entry is in
 * TIME_WAIT — a cost of this bench's alternation, not of either path.
 */
const SERVER = `
  const net = require('node:net');
  let listening = 0;
  for (const port of [${POD.port}, ${POD.targetPort}]) {
    net.createServer((s) => { s.on('error', () => {}); s.once('data', () => s.end('ok\\n')); })
      .listen(port, '0.0.0.0', 1024, () => ++listening === 2 && console.log('listening'));
  }`;

/** `CONCURRENCY` loops of connect, one request, read the answer, close; prints what got through. */
const client = (ip: string, port: number, seconds: number): string => `
  const net = require('node:net');
  const until = Date.now() + ${seconds * 1000};
  let ok = 0, failed = 0, running = ${CONCURRENCY};
  const errors = {};
  const started = Date.now();
  const one = () => {
    if (Date.now() >= until) {
      if (--running === 0) console.log(JSON.stringify({ ok, failed, errors, seconds: (Date.now() - started) / 1000 }));
      return;
    }
    let answered = false;
    const s = net.connect(${port}, '${ip}', () => s.write('GET\\n'));
    s.setTimeout(3000, () => s.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    s.on('data', () => (answered = true));
    s.on('error', (e) => (errors[e.code] = (errors[e.code] ?? 0) + 1));
    s.on('close', () => { answered ? ok++ : failed++; one(); });
  };
  for (let i = 0; i < ${CONCURRENCY}; i++) one();`;

interface Rate {
  perSecond: number;
  failed: number;
}

/**
 * New connections per second from the node namespace to ip:port, the client in a process of its
 * own. A rare SYN lost on a loaded machine times out (and is counted); more than 1 % failing
 * means the path itself is broken, and nothing it measured would mean anything.
 */
function connectionRate(node: string, ip: string, port: number, seconds: number): Rate {
  const out = JSON.parse(exec(node, process.execPath, ['-e', client(ip, port, seconds)])) as { ok: number; failed: number; errors: Record<string, number>; seconds: number };
  if (out.ok === 0 || out.failed > (out.ok + out.failed) / 100) {
    throw new Error(`${out.failed} of ${out.ok + out.failed} connections to ${ip}:${port} failed: ${JSON.stringify(out.errors)}`);
  }
  return { perSecond: out.ok / out.seconds, failed: out.failed };
}

/** The pod: a namespace of its own on a veth from the node namespace, its server a separate process. */
async function startPod(namespaces: Namespaces, node: string): Promise<{ server: ChildProcess }> {
  const pod = namespaces.add('pod');
  exec(node, 'ip', ['link', 'add', 'veth-pod', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod]);
  exec(node, 'ip', ['addr', 'add', `${POD.nodeIP}/24`, 'dev', 'veth-pod']);
  exec(node, 'ip', ['link', 'set', 'veth-pod', 'up']);
  exec(pod, 'ip', ['addr', 'add', `${POD.ip}/24`, 'dev', 'eth0']);
  exec(pod, 'ip', ['link', 'set', 'eth0', 'up']);
  // The service range needs a route for the first packet; DNAT in OUTPUT then re-routes it to the pod.
  exec(node, 'ip', ['route', 'add', '10.43.0.0/16', 'dev', 'veth-pod']);
  const server = spawn('ip', ['netns', 'exec', pod, process.execPath, '-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`the pod's server exited (${code})`)));
    server.stdout!.once('data', () => resolve());
  });
  return { server };
}

async function benchConnections(results: Results, namespaces: Namespaces, backend: IptablesBackend): Promise<void> {
  const ports = [...Array.from({ length: SERVICES }, (_, i) => benchService(i)), podService];
  const { netns: node, iptables } = await program(namespaces, backend, ports);
  await iptables.ensureJumps();
  const { server } = await startPod(namespaces, node);
  try {
    // One short try each way first: both paths answer before anything is timed.
    connectionRate(node, POD.ip, POD.port, 0.2);
    connectionRate(node, POD.clusterIP, POD.servicePort, 0.2);
    const direct: Rate[] = [];
    const viaService: Rate[] = [];
    // In pairs, back to back and in alternating order: other work on the machine (its load moves
    // by tens of percent within seconds) then weighs on both sides of each pair's ratio alike.
    for (let round = 0; round < RATE_ROUNDS; round++) {
      const pair = [() => direct.push(connectionRate(node, POD.ip, POD.port, RATE_SECONDS)), () => viaService.push(connectionRate(node, POD.clusterIP, POD.servicePort, RATE_SECONDS))];
      for (const measure of round % 2 === 0 ? pair : pair.reverse()) measure();
    }
    const rate = (rs: Rate[]) => median(rs.map((r) => r.perSecond));
    const failed = (rs: Rate[]) => rs.reduce((n, r) => n + r.failed, 0);
    const ratios = viaService.map((v, i) => (100 * v.perSecond) / direct[i].perSecond);
    const label = `${CONCURRENCY} parallel, iptables-${backend}`;
    results.add(`new connections/s straight to the pod IP (${label})`, rate(direct), 'conn/s');
    results.add(`new connections/s through its ClusterIP, last of ${SERVICES + 1} services`, rate(viaService), 'conn/s');
    results.add(`ClusterIP rate as % of direct (median of ${RATE_ROUNDS} pairs)`, median(ratios), '%', { kind: 'min', value: 90 });
    results.add('  lowest pair', Math.min(...ratios), '%');
    results.add('  highest pair', Math.max(...ratios), '%');
    results.add('  connections timed out or refused: direct', failed(direct), '');
    results.add('  connections timed out or refused: ClusterIP', failed(viaService), '');
  } finally {
    const exited = new Promise((r) => server.once('exit', r));
    if (server.exitCode === null) server.kill('SIGTERM');
    await exited;
  }
}

export async function benchProxy(results: Results): Promise<void> {
  const namespaces = new Namespaces();
  // Stopped with Ctrl-C, the bench still takes its namespaces (and their rules) with it.
  const interrupted = (signal: NodeJS.Signals) => {
    namespaces.deleteAll();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    for (const backend of ['nft', 'legacy'] as const) await benchSyncs(results, namespaces, backend);
    // nft: what the agent picks on a machine with no other rules (detectIptables).
    await benchConnections(results, namespaces, 'nft');
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    namespaces.deleteAll();
  }
  quoteKubeProxy(results);
}
