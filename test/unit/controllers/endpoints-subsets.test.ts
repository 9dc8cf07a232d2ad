import { describe, expect, it } from 'vitest';
import type { Pod, Service } from 'kubernetes-types/core/v1';
import { repackSubsets, subsetsEqual, type AddressOnPort } from '../../../src-main/controllers/endpointslice/endpoints-subsets.ts';
import { findPort, podEndpointsChanged, rfc3339Nano, shouldPodBeInEndpoints } from '../../../src-main/controllers/endpointslice/pod-endpoints.ts';
import { TriggerTimeTracker } from '../../../src-main/controllers/endpointslice/trigger-time.ts';

const addr = (ip: string, uid: string) => ({ ip, targetRef: { kind: 'Pod', name: uid, uid } });
const http = { name: 'http', port: 8080, protocol: 'TCP' };
const metrics = { name: 'metrics', port: 9090, protocol: 'TCP' };

describe('repackSubsets', () => {
  it('puts ports that serve the same addresses into one subset, sorted by IP', () => {
    const entries: AddressOnPort[] = [
      { address: addr('10.0.0.2', 'b'), port: http, ready: true },
      { address: addr('10.0.0.1', 'a'), port: http, ready: true },
      { address: addr('10.0.0.2', 'b'), port: metrics, ready: true },
      { address: addr('10.0.0.1', 'a'), port: metrics, ready: true },
    ];
    const subsets = repackSubsets(entries);
    expect(subsets).toHaveLength(1);
    expect(subsets[0].addresses?.map((a) => a.ip)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(subsets[0].ports).toHaveLength(2);
  });

  it('splits by address set, and not ready on a port wins', () => {
    const entries: AddressOnPort[] = [
      { address: addr('10.0.0.1', 'a'), port: http, ready: true },
      { address: addr('10.0.0.1', 'a'), port: metrics, ready: true },
      { address: addr('10.0.0.3', 'c'), port: metrics, ready: false },
      { address: addr('10.0.0.3', 'c'), port: metrics, ready: true },
    ];
    const subsets = repackSubsets(entries);
    expect(subsets).toHaveLength(2);
    const m = subsets.find((s) => s.ports?.[0].name === 'metrics')!;
    expect(m.addresses?.map((a) => a.ip)).toEqual(['10.0.0.1']);
    expect(m.notReadyAddresses?.map((a) => a.ip)).toEqual(['10.0.0.3']);
  });

  it('is stable whatever the order of its input', () => {
    const entries: AddressOnPort[] = [
      { address: addr('10.0.0.1', 'a'), port: http, ready: true },
      { address: addr('10.0.0.2', 'b'), port: metrics, ready: false },
      { address: addr('10.0.0.3', 'c'), port: http, ready: false },
    ];
    expect(repackSubsets([...entries].reverse())).toEqual(repackSubsets(entries));
  });

  it('keeps addresses without ports (headless services without ports)', () => {
    const subsets = repackSubsets([{ address: addr('10.0.0.1', 'a'), ready: true }]);
    expect(subsets).toEqual([{ addresses: [addr('10.0.0.1', 'a')] }]);
  });

  it('compares subsets without the targets’ resourceVersions', () => {
    const a = [{ addresses: [{ ip: '1.2.3.4', targetRef: { kind: 'Pod', uid: 'u', resourceVersion: '1' } }], ports: [{ port: 80 }] }];
    const b = [{ addresses: [{ ip: '1.2.3.4', targetRef: { kind: 'Pod', uid: 'u', resourceVersion: '2' } }], ports: [{ port: 80, protocol: 'TCP' }] }];
    expect(subsetsEqual(a, b)).toBe(true);
    expect(subsetsEqual(a, [])).toBe(false);
  });
});

describe('pod endpoints', () => {
  const pod = (over: Partial<Pod> = {}): Pod => ({
    metadata: { name: 'p', namespace: 'ns', uid: 'u', resourceVersion: '1' },
    spec: {
      containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }],
      initContainers: [{ name: 'side', restartPolicy: 'Always', ports: [{ name: 'proxy', containerPort: 15001 }] }],
    },
    status: { phase: 'Running', podIP: '10.42.0.5', podIPs: [{ ip: '10.42.0.5' }] },
    ...over,
  });

  it('resolves numeric and named target ports, by protocol, sidecars included', () => {
    expect(findPort(pod(), { port: 80, targetPort: 9000 })).toBe(9000);
    expect(findPort(pod(), { port: 80, targetPort: 'http' })).toBe(8080);
    expect(findPort(pod(), { port: 53, targetPort: 'dns', protocol: 'UDP' })).toBe(53);
    expect(findPort(pod(), { port: 53, targetPort: 'dns', protocol: 'TCP' })).toBeUndefined();
    expect(findPort(pod(), { port: 80, targetPort: 'proxy' })).toBe(15001);
    expect(findPort(pod(), { port: 80, targetPort: 'nope' })).toBeUndefined();
  });

  it('leaves out finished pods, pods without IP and (unless asked) terminating ones', () => {
    expect(shouldPodBeInEndpoints(pod(), false)).toBe(true);
    expect(shouldPodBeInEndpoints(pod({ status: { phase: 'Succeeded', podIP: '1.1.1.1' } }), true)).toBe(false);
    expect(shouldPodBeInEndpoints(pod({ status: { phase: 'Pending' } }), true)).toBe(false);
    const terminating = pod({ metadata: { name: 'p', deletionTimestamp: '2026-01-01T00:00:00Z' } });
    expect(shouldPodBeInEndpoints(terminating, false)).toBe(false);
    expect(shouldPodBeInEndpoints(terminating, true)).toBe(true);
  });

  it('sees only the changes an endpoint shows', () => {
    const p = pod();
    expect(podEndpointsChanged(p, { ...p, metadata: { ...p.metadata, annotations: { a: 'b' } } })).toBe(false);
    expect(podEndpointsChanged(p, { ...p, status: { ...p.status, podIP: '10.42.0.6', podIPs: [{ ip: '10.42.0.6' }] } })).toBe(true);
    const ready = { ...p, status: { ...p.status, conditions: [{ type: 'Ready', status: 'True' }] } };
    expect(podEndpointsChanged(p, ready)).toBe(true);
  });

  it('prints times as Go’s RFC3339Nano', () => {
    expect(rfc3339Nano(Date.parse('2026-01-01T00:00:00Z'))).toBe('2026-01-01T00:00:00Z');
    expect(rfc3339Nano(Date.parse('2026-01-01T00:00:00.120Z'))).toBe('2026-01-01T00:00:00.12Z');
  });
});

describe('TriggerTimeTracker', () => {
  const svc: Service = { metadata: { name: 's', creationTimestamp: '2026-01-01T00:00:00Z' } };
  const ready = (name: string, at: string): Pod => ({ metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at }] } });

  it('stamps a new service with its creation, then only the earliest new change', () => {
    const t = new TriggerTimeTracker();
    const first = t.compute('ns/s', svc, []);
    expect(first.time).toBe(Date.parse('2026-01-01T00:00:00Z'));
    first.commit();
    const second = t.compute('ns/s', svc, [ready('a', '2026-01-01T00:01:00Z'), ready('b', '2026-01-01T00:00:30Z')]);
    expect(second.time).toBe(Date.parse('2026-01-01T00:00:30Z'));
    second.commit();
    expect(t.compute('ns/s', svc, [ready('a', '2026-01-01T00:01:00Z')]).time).toBe(0);
  });

  it('stamps a retried write again when the first one was not committed', () => {
    const t = new TriggerTimeTracker();
    t.compute('ns/s', svc, []).commit();
    const pods = [ready('a', '2026-01-01T00:01:00Z')];
    expect(t.compute('ns/s', svc, pods).time).toBeGreaterThan(0); // not committed: the write failed
    expect(t.compute('ns/s', svc, pods).time).toBe(Date.parse('2026-01-01T00:01:00Z'));
  });
});
