import { describe, expect, it } from 'vitest';
import { SchedulerCache } from '../../../src-main/scheduler/cache.ts';
import { newPodInfo } from '../../../src-main/scheduler/pod-info.ts';
import { podRequests } from '../../../src-main/scheduler/resources.ts';
import { bound, node, pod } from './helpers.ts';

describe('SchedulerCache', () => {
  it('counts assumed pods at once, confirms them when bound, gives the place back when forgotten', () => {
    const cache = new SchedulerCache();
    cache.addNode(node('a'));
    const p = pod('p', { cpu: '1', owner: 'web' });
    cache.assumePod(newPodInfo(p), 'a');
    const a = cache.node('a')!;
    expect(a.reqMilliCPU).toBe(1000);
    expect(a.spreadCounts.get('rs-web')).toBe(1);
    expect(cache.isAssumed('default/p')).toBe(true);
    cache.addPod(bound(p, 'a')); // the informer shows the binding
    expect(cache.isAssumed('default/p')).toBe(false);
    expect(a.reqMilliCPU).toBe(1000);
    const q = pod('q', { cpu: '2' });
    cache.assumePod(newPodInfo(q), 'a');
    cache.forgetPod('default/q');
    expect(a.reqMilliCPU).toBe(1000);
    expect(a.pods.size).toBe(1);
  });

  it('keeps pods on a node it does not know yet, and the node list in step', () => {
    const cache = new SchedulerCache();
    cache.addPod(bound(pod('early', { cpu: '1' }), 'late'));
    expect(cache.nodeList()).toHaveLength(0);
    cache.addNode(node('late'));
    cache.addNode(node('other'));
    expect(cache.node('late')!.reqMilliCPU).toBe(1000);
    cache.removeNode('late');
    expect(cache.nodeList().map((n) => n.name)).toEqual(['other']);
    expect(cache.nodeList()[0].index).toBe(0);
  });

  it('terminating pods stop counting for spreading but keep their resources', () => {
    const cache = new SchedulerCache();
    cache.addNode(node('a'));
    const p = bound(pod('p', { cpu: '1', owner: 'web' }), 'a');
    cache.addPod(p);
    cache.updatePod({ ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } });
    expect(cache.node('a')!.spreadCounts.size).toBe(0);
    expect(cache.nodesOfOwner('rs-web').size).toBe(0);
    expect(cache.node('a')!.reqMilliCPU).toBe(1000);
  });

  it('host ports: same port and protocol conflict on the same IP or 0.0.0.0', () => {
    const cache = new SchedulerCache();
    cache.addNode(node('a'));
    const p = pod('p');
    p.spec!.containers[0].ports = [{ containerPort: 53, hostPort: 53, protocol: 'UDP', hostIP: '10.0.0.1' }];
    cache.addPod(bound(p, 'a'));
    const a = cache.node('a')!;
    expect(a.portsConflict([{ ip: '10.0.0.1', protocol: 'UDP', port: 53 }])).toBe(true);
    expect(a.portsConflict([{ ip: '0.0.0.0', protocol: 'UDP', port: 53 }])).toBe(true);
    expect(a.portsConflict([{ ip: '10.0.0.2', protocol: 'UDP', port: 53 }])).toBe(false);
    expect(a.portsConflict([{ ip: '0.0.0.0', protocol: 'TCP', port: 53 }])).toBe(false);
  });
});

describe('pod requests', () => {
  it('max(sum of containers + sidecars, largest init container + sidecars before it) + overhead; non-zero defaults', () => {
    const p = pod('p', {
      cpu: '100m', memory: '64Mi',
      initContainers: [
        { name: 'side', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '200m' } } },
        { name: 'init', image: 'x', resources: { requests: { cpu: '1', memory: '1Gi' } } },
      ],
      overhead: { cpu: '50m' },
    });
    const r = podRequests(p);
    expect(r.milliCPU).toBe(1200 + 50);
    expect(r.memory).toBe(2 ** 30);
    const nz = podRequests(pod('empty'), true);
    expect([nz.milliCPU, nz.memory]).toEqual([100, 200 * 2 ** 20]);
  });
});
