import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../../../../src-main/api/field-errors.ts';
import { service } from '../../../../src-main/api/resources/service.ts';
import type { KubeObject } from '../../../../src-main/api/resources/types.ts';
import { create, fields, strategyContext, update } from './nonworkload-helpers.ts';

const svc = (spec: Record<string, unknown>, name = 'web'): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: 'web' }, ...spec } });
const now = new Date('2026-01-01T01:00:00Z');

describe('Service defaults', () => {
  it('fills upstream defaults for a ClusterIP service', async () => {
    const { obj, errors } = await create(service, svc({ ports: [{ port: 80 }] }));
    expect(errors).toEqual([]);
    expect(obj.spec).toMatchObject({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    });
    expect((obj.spec as Record<string, unknown>).externalTrafficPolicy).toBeUndefined();
  });

  it('adds externalTrafficPolicy for NodePort and allocateLoadBalancerNodePorts for LoadBalancer', async () => {
    const { obj } = await create(service, svc({ type: 'LoadBalancer', ports: [{ port: 80 }] }));
    expect(obj.spec).toMatchObject({ externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true });
  });

  it('gives ClientIP affinity a 10800 second timeout', async () => {
    const { obj } = await create(service, svc({ sessionAffinity: 'ClientIP', ports: [{ port: 80 }] }));
    expect(obj.spec).toMatchObject({ sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } });
  });

  it('makes a headless service without selector RequireDualStack and leaves ExternalName without IP fields', async () => {
    const headless = await create(service, { metadata: { name: 'h' }, spec: { clusterIP: 'None' } });
    expect(headless.errors).toEqual([]);
    expect(headless.obj.spec).toMatchObject({ clusterIP: 'None', clusterIPs: ['None'], ipFamilyPolicy: 'RequireDualStack' });
    const ext = await create(service, { metadata: { name: 'db' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } });
    expect(ext.errors).toEqual([]);
    expect(ext.obj.spec).not.toHaveProperty('clusterIP');
    expect(ext.obj.spec).not.toHaveProperty('ipFamilies');
  });
});

describe('Service validation', () => {
  it('requires ports, names when there are several, unique names and a known protocol', async () => {
    expect(fields((await create(service, svc({}))).errors)).toEqual(['spec.ports']);
    const { errors } = await create(service, svc({ ports: [{ port: 80 }, { name: 'a', port: 81, protocol: 'HTTP' }, { name: 'a', port: 70000 }] }));
    expect(fields(errors)).toEqual(['spec.ports[0].name', 'spec.ports[1].protocol', 'spec.ports[2].name', 'spec.ports[2].port', 'spec.ports[2].targetPort']);
    expect(formatFieldError(errors[1])).toBe('spec.ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"');
  });

  it('refuses an unknown type, a DNS-1035-invalid name and nodePort on ClusterIP', async () => {
    const { errors } = await create(service, svc({ type: 'Magic', ports: [{ port: 80 }] }, '1web'));
    expect(fields(errors)).toContain('metadata.name');
    expect(fields(errors)).toContain('spec.type');
    const np = await create(service, svc({ ports: [{ port: 80, nodePort: 30001 }] }));
    expect(formatFieldError(np.errors[0])).toBe("spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
  });

  it('checks ExternalName services', async () => {
    const { errors } = await create(service, { metadata: { name: 'x' }, spec: { type: 'ExternalName', externalName: 'Not_A_Host' } });
    expect(fields(errors)).toEqual(['spec.externalName']);
    const missing = await create(service, { metadata: { name: 'x' }, spec: { type: 'ExternalName' } });
    expect(fields(missing.errors)).toEqual(['spec.externalName']);
  });
});

describe('Service allocation', () => {
  it('allocates a cluster IP from the range and node ports for NodePort services', async () => {
    const ctx = strategyContext();
    const { obj, errors } = await create(service, svc({ type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] }), ctx);
    expect(errors).toEqual([]);
    const spec = obj.spec as { clusterIP: string; clusterIPs: string[]; ports: { nodePort: number }[] };
    expect(ctx.allocators.clusterIP.contains(spec.clusterIP)).toBe(true);
    expect(spec.clusterIPs).toEqual([spec.clusterIP]);
    expect(spec.ports[0].nodePort).not.toBe(spec.ports[1].nodePort);
    // Now taken: reserving them again fails.
    expect(ctx.allocators.clusterIP.reserve(spec.clusterIP)).toBe(false);
    expect(ctx.allocators.nodePort.reserve(String(spec.ports[0].nodePort))).toBe(false);
  });

  it('reserves a given cluster IP and refuses it the second time with upstream wording', async () => {
    const ctx = strategyContext();
    const first = await create(service, svc({ clusterIP: '10.43.0.5', ports: [{ port: 80 }] }), ctx);
    expect(first.errors).toEqual([]);
    const second = await create(service, svc({ clusterIP: '10.43.0.5', ports: [{ port: 80 }] }, 'other'), ctx);
    expect(second.errors.map(formatFieldError)).toEqual(['spec.clusterIPs: Invalid value: ["10.43.0.5"]: failed to allocate IP 10.43.0.5: provided IP is already allocated']);
    const outside = await create(service, svc({ clusterIP: '10.0.0.5', ports: [{ port: 80 }] }, 'third'), ctx);
    expect(outside.errors[0].detail).toBe('failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.43.0.0/16');
  });

  it('refuses a taken or out-of-range node port', async () => {
    const ctx = strategyContext();
    await create(service, svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), ctx);
    const taken = await create(service, svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }, 'b'), ctx);
    expect(taken.errors.map(formatFieldError)).toEqual(['spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated']);
    const outside = await create(service, svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] }, 'c'), ctx);
    expect(outside.errors[0].detail).toBe('provided port is not in the valid range. The range of valid ports is 30000-32767');
    // The failed create gave back the cluster IP it had taken.
    expect(ctx.allocators.clusterIP.free).toBe(65536 - 3 - 1);
  });

  it('gives TCP and UDP of one port number the same node port', async () => {
    const { obj } = await create(service, svc({ type: 'NodePort', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }));
    const ports = (obj.spec as { ports: { nodePort: number }[] }).ports;
    expect(ports[0].nodePort).toBe(ports[1].nodePort);
  });

  it('allocates nothing for headless and ExternalName services, and nothing for invalid ones', async () => {
    const ctx = strategyContext();
    await create(service, { metadata: { name: 'h' }, spec: { clusterIP: 'None', selector: { a: 'b' } } }, ctx);
    await create(service, { metadata: { name: 'e' }, spec: { type: 'ExternalName', externalName: 'example.com' } }, ctx);
    await create(service, svc({ type: 'NodePort', ports: [{ port: 0 }] }), ctx);
    expect(ctx.allocators.clusterIP.free).toBe(65536 - 3);
    expect(ctx.allocators.nodePort.free).toBe(2768);
  });

  it('releases right away on a dry run', async () => {
    const ctx = strategyContext(true);
    const { obj, errors } = await create(service, svc({ type: 'NodePort', clusterIP: '10.43.1.1', ports: [{ port: 80 }] }), ctx);
    expect(errors).toEqual([]);
    expect((obj.spec as { clusterIP: string }).clusterIP).toBe('10.43.1.1');
    expect(ctx.allocators.clusterIP.reserve('10.43.1.1')).toBe(true);
    expect(ctx.allocators.nodePort.free).toBe(2768);
  });

  it('afterDelete gives the IP and node ports back', async () => {
    const ctx = strategyContext();
    const { obj } = await create(service, svc({ type: 'NodePort', ports: [{ port: 80 }] }), ctx);
    service.afterDelete?.(obj, ctx);
    expect(ctx.allocators.clusterIP.free).toBe(65536 - 3);
    expect(ctx.allocators.nodePort.free).toBe(2768);
  });
});

describe('Service update', () => {
  it('keeps the allocated IP and node ports when a PUT leaves them out', async () => {
    const ctx = strategyContext();
    const { obj: old } = await create(service, svc({ type: 'NodePort', ports: [{ name: 'http', port: 80 }] }), ctx);
    const { obj, errors } = await update(service, svc({ type: 'NodePort', ports: [{ name: 'http', port: 80 }] }), old, ctx);
    expect(errors).toEqual([]);
    expect((obj.spec as Record<string, unknown>).clusterIP).toBe((old.spec as Record<string, unknown>).clusterIP);
    expect((obj.spec as { ports: { nodePort: number }[] }).ports[0].nodePort).toBe((old.spec as { ports: { nodePort: number }[] }).ports[0].nodePort);
  });

  it('refuses a changed cluster IP', async () => {
    const ctx = strategyContext();
    const { obj: old } = await create(service, svc({ clusterIP: '10.43.0.9', ports: [{ port: 80 }] }), ctx);
    const { errors } = await update(service, svc({ clusterIP: '10.43.0.10', clusterIPs: ['10.43.0.10'], ports: [{ port: 80 }] }), old, ctx);
    expect(errors.map(formatFieldError)).toContain('spec.clusterIPs[0]: Invalid value: ["10.43.0.10"]: may not change once set');
  });

  it('NodePort to ClusterIP drops and releases node ports; ClusterIP to NodePort allocates them', async () => {
    const ctx = strategyContext();
    const { obj: old } = await create(service, svc({ type: 'NodePort', ports: [{ port: 80 }] }), ctx);
    const toClusterIP = structuredClone(old);
    (toClusterIP.spec as Record<string, unknown>).type = 'ClusterIP';
    const { obj, errors } = await update(service, toClusterIP, old, ctx);
    expect(errors).toEqual([]);
    expect((obj.spec as { ports: Record<string, unknown>[] }).ports[0].nodePort).toBeUndefined();
    expect((obj.spec as Record<string, unknown>).externalTrafficPolicy).toBeUndefined();
    expect(ctx.allocators.nodePort.free).toBe(2768);
    const back = structuredClone(obj);
    (back.spec as Record<string, unknown>).type = 'NodePort';
    const again = await update(service, back, obj, ctx);
    expect(again.errors).toEqual([]);
    expect((again.obj.spec as { ports: { nodePort: number }[] }).ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(ctx.allocators.nodePort.free).toBe(2767);
  });
});

describe('Service table', () => {
  it('prints upstream columns and cells', async () => {
    const { obj } = await create(service, svc({ type: 'NodePort', clusterIP: '10.43.0.20', ports: [{ port: 80, nodePort: 30080 }, { name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 }].map((p, i) => ({ name: `p${i}`, ...p })) }));
    expect(service.table?.columns.map((c) => c.name)).toEqual(['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector']);
    expect(service.table?.columns.map((c) => c.priority)).toEqual([0, 0, 0, 0, 0, 0, 1]);
    expect(service.table?.cells(obj, now)).toEqual(['web', 'NodePort', '10.43.0.20', '<none>', '80:30080/TCP,53:30053/UDP', '60m', 'app=web']);
  });

  it('shows <pending> for a LoadBalancer without ingress and the name for ExternalName', async () => {
    const lb = await create(service, svc({ type: 'LoadBalancer', ports: [{ port: 443 }] }));
    expect(service.table?.cells(lb.obj, now)[3]).toBe('<pending>');
    const withIngress = { ...lb.obj, status: { loadBalancer: { ingress: [{ ip: '192.168.1.10' }] } } };
    expect(service.table?.cells(withIngress, now)[3]).toBe('192.168.1.10');
    const ext = await create(service, { metadata: { name: 'db' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } });
    expect(service.table?.cells(ext.obj, now).slice(1, 5)).toEqual(['ExternalName', '<none>', 'db.example.com', '<none>']);
  });
});

describe('Service health check node port', () => {
  it('is allocated for LoadBalancer with externalTrafficPolicy Local, kept on update and released when the policy changes', async () => {
    const ctx = strategyContext();
    const { obj: old, errors } = await create(service, svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] }), ctx);
    expect(errors).toEqual([]);
    const hc = (old.spec as Record<string, unknown>).healthCheckNodePort as number;
    expect(ctx.allocators.nodePort.contains(String(hc))).toBe(true);
    expect(ctx.allocators.nodePort.free).toBe(2768 - 2);
    const same = await update(service, svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] }), old, ctx);
    expect((same.obj.spec as Record<string, unknown>).healthCheckNodePort).toBe(hc);
    const cluster = structuredClone(old);
    (cluster.spec as Record<string, unknown>).externalTrafficPolicy = 'Cluster';
    const changed = await update(service, cluster, old, ctx);
    expect(changed.errors).toEqual([]);
    expect(changed.obj.spec).not.toHaveProperty('healthCheckNodePort');
    expect(ctx.allocators.nodePort.free).toBe(2768 - 1);
  });

  it('may not be set otherwise', async () => {
    const { errors } = await create(service, svc({ type: 'NodePort', healthCheckNodePort: 30500, ports: [{ port: 80 }] }));
    expect(fields(errors)).toEqual(['spec.healthCheckNodePort']);
  });
});
