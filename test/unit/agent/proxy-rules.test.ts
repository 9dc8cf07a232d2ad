// The service rules' shape for the cases the iptables test does not send traffic through:
// probabilities over n endpoints, ClientIP affinity, externalTrafficPolicy Local, external IPs,
// headless services, the same text for the same services in any order, and the same rules from
// the cache a sync keeps of each service port's rules, and no per-endpoint comments above 1,000
// endpoints (kube-proxy's large cluster mode).
import { describe, expect, it } from 'vitest';
import { endpointChain, serviceChain, servicePortName } from '../../../src-main/agent/proxy/chain-names.ts';
import { allRules, buildRules, LARGE_CLUSTER_ENDPOINTS, restoreText } from '../../../src-main/agent/proxy/iptables-rules.ts';
import type { ProxyServicePort } from '../../../src-main/agent/proxy/proxy-model.ts';
import { RuleCache } from '../../../src-main/agent/proxy/rule-cache.ts';

const config = { clusterCIDR: '10.42.0.0/16' };
const port = (over: Partial<ProxyServicePort> = {}): ProxyServicePort => ({
  name: servicePortName('shop', 'web', 'http'), protocol: 'TCP', clusterIP: '10.43.0.20', port: 80, externalIPs: [],
  externalTrafficPolicy: 'Cluster', endpoints: [1, 2, 3].map((n) => ({ ip: `10.42.${n}.5`, port: 8080, local: n === 2 })), ...over,
});

describe('service rules', () => {
  it('spreads over n endpoints with probabilities 1/n, 1/(n-1), … and a last rule that always matches', () => {
    const svc = serviceChain('SVC', 'shop/web:http', 'TCP');
    const jumps = allRules(buildRules([port()], config).nat).filter((l) => l.startsWith(`-A ${svc}`) && l.includes('KUBE-SEP-'));
    expect(jumps.map((l) => l.match(/--probability (\S+)/)?.[1] ?? 'always')).toEqual(['0.3333333333', '0.5000000000', 'always']);
    expect(jumps[0]).toContain(`-j ${endpointChain('shop/web:http', 'TCP', '10.42.1.5:8080')}`);
  });

  it('sends a client back to its endpoint under ClientIP affinity', () => {
    const nat = allRules(buildRules([port({ affinitySeconds: 10800 })], config).nat);
    const sep = endpointChain('shop/web:http', 'TCP', '10.42.1.5:8080');
    expect(nat).toContain(`-A ${serviceChain('SVC', 'shop/web:http', 'TCP')} -m comment --comment "shop/web:http -> 10.42.1.5:8080" -m recent --name ${sep} --mask 255.255.255.255 --rsource --rcheck --seconds 10800 --reap -j ${sep}`);
    expect(nat.some((l) => l.startsWith(`-A ${sep}`) && l.includes('--set -j DNAT --to-destination 10.42.1.5:8080'))).toBe(true);
  });

  it('with externalTrafficPolicy Local sends outside clients only to this node\'s endpoints, keeping their address', () => {
    const rules = buildRules([port({ externalTrafficPolicy: 'Local', nodePort: 30080, externalIPs: ['198.18.0.10'] })], config);
    const ext = serviceChain('EXT', 'shop/web:http', 'TCP');
    const svl = serviceChain('SVL', 'shop/web:http', 'TCP');
    const extRules = allRules(rules.nat).filter((l) => l.startsWith(`-A ${ext}`));
    expect(extRules).toEqual([`-A ${ext} -m comment --comment "pod traffic for shop/web:http external destinations" -s 10.42.0.0/16 -j ${serviceChain('SVC', 'shop/web:http', 'TCP')}`, `-A ${ext} -j ${svl}`]);
    expect(allRules(rules.nat).filter((l) => l.startsWith(`-A ${svl}`) && l.includes('KUBE-SEP-'))).toEqual([expect.stringContaining('-> 10.42.2.5:8080')]);
    expect(allRules(rules.nat)).toContain(`-A KUBE-SERVICES -m comment --comment "shop/web:http external IP" -m tcp -p tcp -d 198.18.0.10/32 --dport 80 -j ${ext}`);
    // No local endpoint: outside traffic dropped rather than sent to another node.
    const none = buildRules([port({ externalTrafficPolicy: 'Local', nodePort: 30080, endpoints: [{ ip: '10.42.1.5', port: 8080, local: false }] })], config);
    expect(allRules(none.filter).some((l) => l.includes('has no local endpoints') && l.includes('--dport 30080') && l.endsWith('-j DROP'))).toBe(true);
  });

  it('programs nothing for a headless service, and the same text for the same services in any order', () => {
    const headless = port({ name: servicePortName('shop', 'db', ''), clusterIP: undefined });
    const other = port({ name: servicePortName('shop', 'api', 'grpc'), clusterIP: '10.43.0.21' });
    const a = restoreText(buildRules([port(), headless, other], config));
    expect(a).toBe(restoreText(buildRules([other, port(), headless], config)));
    expect(a).not.toContain('shop/db');
    expect(a.trimEnd().split('\n').filter((l) => l === 'COMMIT')).toHaveLength(2);
  });

  it('rewrites only the chains that changed, deletes the ones that went, and writes nothing when nothing did', () => {
    const other = port({ name: servicePortName('shop', 'api', 'grpc'), clusterIP: '10.43.0.21' });
    const first = buildRules([port(), other], config);
    expect(restoreText(first, first)).toBe('');
    // One endpoint of web gone: its service chain is rewritten and the endpoint's chain deleted;
    // api's chains and the base chains are not mentioned.
    const second = buildRules([port({ endpoints: port().endpoints.slice(1) }), other], config);
    const text = restoreText(second, first);
    const gone = endpointChain('shop/web:http', 'TCP', '10.42.1.5:8080');
    expect(text.split('\n').filter((l) => l.startsWith(':'))).toEqual([`:${serviceChain('SVC', 'shop/web:http', 'TCP')} - [0:0]`, `:${gone} - [0:0]`]);
    expect(text).toContain(`-X ${gone}`);
    expect(text).not.toContain('shop/api');
    expect(text).not.toContain('*filter');
    // After a restart the kernel's chains are known by name only: each is rewritten or deleted.
    const unknown = { nat: new Map([...first.nat.keys()].map((c) => [c, undefined])), filter: new Map([...first.filter.keys()].map((c) => [c, undefined])) };
    const full = restoreText(second, unknown);
    expect(full.split('\n').filter((l) => l.startsWith(':'))).toHaveLength(second.nat.size + second.filter.size + 1);
  });

  it('builds the same rules from its cache of unchanged service ports, and rebuilds a changed one', () => {
    const mix = [
      port(),
      port({ name: servicePortName('shop', 'api', 'grpc'), clusterIP: '10.43.0.21', affinitySeconds: 600 }),
      port({ name: servicePortName('shop', 'edge', ''), clusterIP: '10.43.0.22', nodePort: 30080, externalIPs: ['198.18.0.10'], externalTrafficPolicy: 'Local' }),
      port({ name: servicePortName('shop', 'empty', ''), clusterIP: '10.43.0.23', nodePort: 30081, endpoints: [] }),
    ];
    const cache = new RuleCache<ReturnType<typeof buildRules>>();
    const text = (ports: ProxyServicePort[]) => restoreText(buildRules(ports, config, cache));
    expect(text(mix)).toBe(restoreText(buildRules(mix, config)));
    expect(text(mix)).toBe(restoreText(buildRules(mix, config)));
    // One endpoint moved: the cached rules of the other ports, new ones for this one.
    const moved = [port({ endpoints: [{ ip: '10.42.9.9', port: 8080, local: true }] }), ...mix.slice(1)];
    expect(text(moved)).toBe(restoreText(buildRules(moved, config)));
    expect(text(moved)).toContain('10.42.9.9:8080');
    expect(text(moved)).not.toContain('shop/web:http -> 10.42.1.5:8080');
  });

  it('leaves the per-endpoint rules without comments above 1,000 endpoints, as kube-proxy does', () => {
    const many = (count: number) => Array.from({ length: Math.ceil(count / 4) }, (_, i) => port({
      name: servicePortName('shop', `web-${i}`, 'http'), clusterIP: `10.43.${i >> 8}.${i & 255}`, affinitySeconds: 600,
      endpoints: [0, 1, 2, 3].map((j) => ({ ip: `10.42.${i >> 6}.${((i & 63) << 2) + j}`, port: 8080, local: true })),
    }));
    const endpointRules = (ports: ProxyServicePort[]) => allRules(buildRules(ports, config).nat).filter((l) => / -j KUBE-SEP-| -j DNAT |\/32 -j KUBE-MARK-MASQ/.test(l));
    const small = endpointRules(many(LARGE_CLUSTER_ENDPOINTS));
    expect(small.every((l) => l.includes('-m comment'))).toBe(true);
    const large = endpointRules(many(LARGE_CLUSTER_ENDPOINTS + 4));
    expect(large.length).toBeGreaterThan(3 * LARGE_CLUSTER_ENDPOINTS);
    expect(large.filter((l) => l.includes('-m comment'))).toEqual([]);
    expect(large).toContain(`-A ${endpointChain('shop/web-0:http', 'TCP', '10.42.0.1:8080')} -m tcp -p tcp -m recent --name ${endpointChain('shop/web-0:http', 'TCP', '10.42.0.1:8080')} --mask 255.255.255.255 --rsource --set -j DNAT --to-destination 10.42.0.1:8080`);
    // The service's own rules keep theirs: what `iptables-save` readers look for.
    expect(allRules(buildRules(many(LARGE_CLUSTER_ENDPOINTS + 4), config).nat)).toContain(`-A KUBE-SERVICES -m comment --comment "shop/web-0:http cluster IP" -m tcp -p tcp -d 10.43.0.0/32 --dport 80 -j ${serviceChain('SVC', 'shop/web-0:http', 'TCP')}`);
  });
});
