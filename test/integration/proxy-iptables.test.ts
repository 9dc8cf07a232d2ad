// The service rules applied by the real iptables-restore (nft and legacy backends) in a network
// namespace of the test's own: chains as kube-proxy names them, connections to a cluster IP spread
// over its endpoints, a service with no endpoints refused, and a second sync that removes what
// went without leaving a stale chain.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servicePortName, serviceChain } from '../../src-main/agent/proxy/chain-names.ts';
import { buildRules, restoreText, type AppliedRules } from '../../src-main/agent/proxy/iptables-rules.ts';
import { Iptables } from '../../src-main/agent/proxy/iptables.ts';
import type { ProxyServicePort } from '../../src-main/agent/proxy/proxy-model.ts';

const NS = `kl-proxy-${process.pid}`;
const config = { clusterCIDR: '10.42.0.0/16' };
const inNs = (cmd: string, args: string[], input?: string) => execFileSync('ip', ['netns', 'exec', NS, cmd, ...args], { encoding: 'utf8', input });

function web(endpoints: string[]): ProxyServicePort {
  return {
    name: servicePortName('default', 'web', 'http'), protocol: 'TCP', clusterIP: '10.43.0.10', port: 80, nodePort: 30080,
    externalIPs: [], externalTrafficPolicy: 'Cluster', endpoints: endpoints.map((ip) => ({ ip, port: 8080, local: true })),
  };
}
const empty: ProxyServicePort = { ...web([]), name: servicePortName('default', 'empty', ''), clusterIP: '10.43.0.11', nodePort: undefined };

/** Connects to ip:port `count` times from inside the namespace; returns who answered (or the error). */
function connectMany(ip: string, port: number, count: number): string[] {
  const script = `
    const net = require('node:net');
    const out = [];
    let left = ${count};
    const one = () => {
      const s = net.connect(${port}, '${ip}');
      s.setTimeout(3000, () => s.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      let got = '';
      s.on('data', (d) => (got += d));
      s.on('end', () => { out.push(got); next(); });
      s.on('error', (e) => { out.push(e.code); next(); });
    };
    const next = () => (--left > 0 ? one() : console.log(JSON.stringify(out)));
    one();`;
  return JSON.parse(inNs(process.execPath, ['-e', script]));
}

describe.each(['nft', 'legacy'] as const)('service rules with iptables-%s', (backend) => {
  let previous: AppliedRules | undefined;
  const restore = `iptables-${backend}-restore`;
  const save = (table: string) => inNs(`iptables-${backend}-save`, ['-t', table]);
  const apply = (ports: ProxyServicePort[]) => {
    const rules = buildRules(ports, config);
    inNs(restore, ['--noflush'], restoreText(rules, previous));
    previous = rules;
  };
  let serverPid: number | undefined;

  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    inNs('ip', ['link', 'set', 'lo', 'up']);
    // Two endpoints on addresses of this namespace, each answering its own name, and the VIP
    // range routed from a third (DNAT in OUTPUT then rewrites the destination).
    for (const ip of ['10.99.0.1', '10.99.0.2', '10.99.0.3']) inNs('ip', ['addr', 'add', `${ip}/32`, 'dev', 'lo']);
    inNs('ip', ['route', 'add', '10.43.0.0/16', 'dev', 'lo', 'src', '10.99.0.1']);
    const script = `
      const net = require('node:net');
      for (const ip of ['10.99.0.2', '10.99.0.3']) net.createServer((s) => s.end(ip)).listen(8080, ip);
      setInterval(() => {}, 1000);`;
    const child = spawn('ip', ['netns', 'exec', NS, process.execPath, '-e', script], { stdio: 'ignore' });
    serverPid = child.pid;
    apply([web(['10.99.0.2', '10.99.0.3']), empty]);
    inNs(`iptables-${backend}`, ['-t', 'nat', '-A', 'OUTPUT', '-j', 'KUBE-SERVICES']);
    inNs(`iptables-${backend}`, ['-t', 'filter', '-A', 'OUTPUT', '-j', 'KUBE-SERVICES']);
  });

  afterAll(() => {
    if (serverPid) spawnSync('kill', [String(serverPid)]);
    spawnSync('ip', ['netns', 'del', NS]);
  });

  it('names the chains as kube-proxy does and sends a cluster IP to every endpoint', async () => {
    const nat = save('nat');
    const svc = serviceChain('SVC', 'default/web:http', 'TCP');
    expect(svc).toMatch(/^KUBE-SVC-[A-Z2-7]{16}$/);
    expect(nat).toContain(`-A KUBE-SERVICES -d 10.43.0.10/32 -p tcp -m comment --comment "default/web:http cluster IP" -m tcp --dport 80 -j ${svc}`);
    expect(nat).toMatch(/-m statistic --mode random --probability 0\.50000000000 -j KUBE-SEP-/);
    expect(nat.match(/DNAT --to-destination 10\.99\.0\.[23]:8080/g)).toHaveLength(2);
    // The endpoints answer directly first (their process may still be starting)…
    for (let i = 0; i < 50 && [...connectMany('10.99.0.2', 8080, 1), ...connectMany('10.99.0.3', 8080, 1)].join() !== '10.99.0.2,10.99.0.3'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    // …then the cluster IP reaches both of them, and nothing else.
    expect(new Set(connectMany('10.43.0.10', 80, 40))).toEqual(new Set(['10.99.0.2', '10.99.0.3']));
  });

  it('refuses connections to a service without endpoints', () => {
    expect(save('filter')).toContain('"default/empty has no endpoints"');
    expect(connectMany('10.43.0.11', 80, 1)).toEqual(['ECONNREFUSED']);
  });

  it('a later sync keeps only what is still there: no stale chain, one endpoint left', () => {
    const before = save('nat').match(/^:KUBE-SEP-\S+/gm) ?? [];
    expect(before).toHaveLength(2);
    apply([web(['10.99.0.3'])]);
    const nat = save('nat');
    expect(nat.match(/^:KUBE-SEP-\S+/gm)).toHaveLength(1);
    expect(nat).not.toContain('10.99.0.2');
    expect(save('filter')).not.toContain('default/empty');
    expect(new Set(connectMany('10.43.0.10', 80, 10))).toEqual(new Set(['10.99.0.3']));
  });

  it('uninstall removes every jump and chain it made, and portmap\'s, and leaves other rules alone', async () => {
    const iptables = new Iptables(backend, NS);
    await iptables.ensureJumps();
    await iptables.ensureJumps(); // once only
    expect(save('nat').match(/-A PREROUTING .*-j KUBE-SERVICES/g)).toHaveLength(1);
    // What portmap leaves for a hostPort, and a rule of someone else's.
    inNs(restore, ['--noflush'], '*nat\n:CNI-HOSTPORT-DNAT - [0:0]\n-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT\nCOMMIT\n');
    inNs(`iptables-${backend}`, ['-t', 'nat', '-A', 'POSTROUTING', '-s', '192.0.2.0/24', '-j', 'MASQUERADE']);
    const { chains } = await iptables.removeAll();
    expect(chains).toBeGreaterThan(5);
    const left = save('nat') + save('filter');
    expect(left).not.toMatch(/KUBE-|CNI-/);
    expect(left).toContain('-A POSTROUTING -s 192.0.2.0/24 -j MASQUERADE');
    expect(await iptables.removeAll()).toEqual({ chains: 0 });
  });
});
