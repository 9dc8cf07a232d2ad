// Where a forward goes, as kubectl port-forward decides: pod ports by number or name, a service
// port to its targetPort (numbered, named in the pod, or the same port) on a ready pod.
import type { Pod, Service } from 'kubernetes-types/core/v1';
import { describe, expect, it } from 'vitest';
import { podPort, readyPodOf, serviceTargetPort } from '../../../src-main/bridge/forward-target.ts';

const pod = (name: string, o: { labels?: Record<string, string>; ready?: boolean; phase?: string; created?: string; deleting?: boolean } = {}): Pod => ({
  metadata: { name, namespace: 'default', labels: o.labels ?? { app: 'web' }, creationTimestamp: o.created ?? '2026-01-01T00:00:00Z', ...(o.deleting ? { deletionTimestamp: '2026-01-02T00:00:00Z' } : {}) },
  spec: { containers: [{ name: 'main', image: 'x', ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }] }] },
  status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});

const service = (ports: NonNullable<Service['spec']>['ports'], selector: Record<string, string> | null = { app: 'web' }): Service => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: { ...(selector ? { selector } : {}), ports },
});

describe('podPort', () => {
  it('takes a number as is and a name from the containers', () => {
    expect(podPort(pod('a'), '3000')).toBe(3000);
    expect(podPort(pod('a'), 'metrics')).toBe(9090);
  });
  it('refuses an unknown name and a port out of range', () => {
    expect(() => podPort(pod('a'), 'grpc')).toThrow('pod a has no container port named "grpc"');
    expect(() => podPort(pod('a'), '70000')).toThrow('port 70000 is not between 1 and 65535');
  });
});

describe('readyPodOf', () => {
  it('picks the oldest ready, running pod of the selector, never one being deleted', () => {
    const pods = [
      pod('other', { labels: { app: 'db' }, created: '2025-01-01T00:00:00Z' }),
      pod('not-ready', { ready: false, created: '2025-02-01T00:00:00Z' }),
      pod('going', { deleting: true, created: '2025-03-01T00:00:00Z' }),
      pod('pending', { phase: 'Pending', created: '2025-03-01T00:00:00Z' }),
      pod('young', { created: '2026-05-01T00:00:00Z' }),
      pod('old', { created: '2026-04-01T00:00:00Z' }),
    ];
    expect(readyPodOf(service([{ port: 80 }]), pods).metadata!.name).toBe('old');
  });
  it('says why there is no pod: no selector, or none ready', () => {
    expect(() => readyPodOf(service([{ port: 80 }], null), [pod('a')])).toThrow('service web has no selector');
    expect(() => readyPodOf(service([{ port: 80 }]), [pod('a', { ready: false })])).toThrow('service web has no ready pod behind it (selector app=web)');
  });
});

describe('serviceTargetPort', () => {
  const p = pod('a');
  it('maps a service port to its numeric targetPort, its named one in the pod, or itself', () => {
    const svc = service([{ name: 'web', port: 80, targetPort: 8080 }, { name: 'prom', port: 9000, targetPort: 'metrics' }, { port: 7000 }]);
    expect(serviceTargetPort(svc, p, '80')).toBe(8080);
    expect(serviceTargetPort(svc, p, '9000')).toBe(9090);
    expect(serviceTargetPort(svc, p, '7000')).toBe(7000);
  });
  it('takes the service port by its name too', () => {
    expect(serviceTargetPort(service([{ name: 'prom', port: 9000, targetPort: 'metrics' }]), p, 'prom')).toBe(9090);
  });
  it('refuses a port the service does not have, naming the ones it has', () => {
    const svc = service([{ name: 'web', port: 80, targetPort: 8080 }, { port: 443 }]);
    expect(() => serviceTargetPort(svc, p, '8080')).toThrow('service web has no port 8080 (it has 80/web, 443)');
    expect(() => serviceTargetPort(svc, p, 'grpc')).toThrow('service web has no port named "grpc"');
  });
  it('refuses a named targetPort the pod does not declare', () => {
    expect(() => serviceTargetPort(service([{ port: 80, targetPort: 'grpc' }]), p, '80')).toThrow('pod a has no container port named "grpc"');
  });
});
