// What the proxy programs for a Service and its EndpointSlices: ready IPv4 endpoints of the
// matching port name only, each once; node ports, load-balancer and external IPs; the policy and
// affinity; nothing for headless and ExternalName services.
import type { Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { describe, expect, it } from 'vitest';
import { serviceProxyPorts } from '../../../src-main/agent/proxy/service-ports.ts';

const service = (spec: Service['spec'], status?: Service['status']): Service => ({ metadata: { namespace: 'shop', name: 'web' }, spec, status });
const slice = (endpoints: EndpointSlice['endpoints'], ports: EndpointSlice['ports'], addressType = 'IPv4'): EndpointSlice => ({
  addressType, endpoints, ports, metadata: { namespace: 'shop', name: `web-${Math.random()}`, labels: { 'kubernetes.io/service-name': 'web' } },
});
const ports = [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'metrics', port: 9090 }];
const slicePorts = [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9100, protocol: 'TCP' }];

describe('service proxy ports', () => {
  it('takes ready endpoints only (unset ready is ready), per port name, once each, across slices', () => {
    const slices = [
      slice([{ addresses: ['10.42.1.5'], nodeName: 'a' }, { addresses: ['10.42.2.5'], nodeName: 'b', conditions: { ready: false } }], slicePorts),
      slice([{ addresses: ['10.42.1.5'], nodeName: 'a', conditions: { ready: true } }, { addresses: ['10.42.3.5'], nodeName: 'c', conditions: { ready: true } }], slicePorts),
      slice([{ addresses: ['fd00::5'] }], slicePorts, 'IPv6'),
    ];
    const [http, metrics] = serviceProxyPorts(service({ clusterIP: '10.43.0.20', ports }), slices, 'a');
    expect(http).toMatchObject({ name: 'shop/web:http', protocol: 'TCP', clusterIP: '10.43.0.20', port: 80, nodePort: undefined, externalIPs: [], externalTrafficPolicy: 'Cluster' });
    expect(http!.endpoints).toEqual([{ ip: '10.42.1.5', port: 8080, local: true }, { ip: '10.42.3.5', port: 8080, local: false }]);
    expect(metrics!.endpoints.map((e) => e.port)).toEqual([9100, 9100]);
  });

  it('gives node ports, external and load-balancer IPs, Local policy and ClientIP affinity to what has them', () => {
    const lb = service(
      { type: 'LoadBalancer', clusterIP: '10.43.0.21', ports: [{ name: 'http', port: 80, nodePort: 30080 }], externalIPs: ['192.0.2.9'], externalTrafficPolicy: 'Local', sessionAffinity: 'ClientIP' },
      { loadBalancer: { ingress: [{ ip: '198.18.0.10' }, { hostname: 'lb.example' }, { ip: '192.0.2.9' }] } },
    );
    expect(serviceProxyPorts(lb, [], 'a')[0]).toMatchObject({ nodePort: 30080, externalIPs: ['192.0.2.9', '198.18.0.10'], externalTrafficPolicy: 'Local', affinitySeconds: 10_800 });
    // The policy means nothing without an outside entry; a ClusterIP service has no node port.
    const plain = service({ clusterIP: '10.43.0.22', ports: [{ port: 80, nodePort: 30081 }], externalTrafficPolicy: 'Local', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } });
    expect(serviceProxyPorts(plain, [], 'a')[0]).toMatchObject({ name: 'shop/web', nodePort: undefined, externalTrafficPolicy: 'Cluster', affinitySeconds: 60 });
  });

  it('programs nothing for a headless or an ExternalName service', () => {
    expect(serviceProxyPorts(service({ clusterIP: 'None', ports }), [], 'a')).toEqual([]);
    expect(serviceProxyPorts(service({ type: 'ExternalName', externalName: 'db.example', ports }), [], 'a')).toEqual([]);
  });
});
