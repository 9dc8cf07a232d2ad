// How the resource views read objects: kubectl's Service columns, Endpoints addresses, event
// times from whichever field the reporter filled, RBAC rules as text and who-can through groups.
import type { Event, Service } from 'kubernetes-types/core/v1';
import type { ClusterRole, ClusterRoleBinding, RoleBinding } from 'kubernetes-types/rbac/v1';
import { describe, expect, it } from 'vitest';
import { matchesLabelSelector, matchesServiceSelector } from '../../../src-renderer/lib/label-selector.ts';
import { eventRows, involvedObjectHref, lastSeen } from '../../../src-renderer/views/events/event-rows.ts';
import { grantsFor, ruleText } from '../../../src-renderer/views/rbac/rbac-text.ts';
import { endpointRows, endpointsText, externalAddresses, portText } from '../../../src-renderer/views/services/service-text.ts';

describe('service text', () => {
  it('prints EXTERNAL-IP as kubectl does', () => {
    const svc = (spec: Service['spec'], status?: Service['status']): Service => ({ spec, status });
    expect(externalAddresses(svc({ type: 'ClusterIP' }))).toBe('<none>');
    expect(externalAddresses(svc({ type: 'LoadBalancer' }))).toBe('<pending>');
    expect(externalAddresses(svc({ type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '192.168.1.240' }, { hostname: 'lb.example' }] } }))).toBe('192.168.1.240,lb.example');
    expect(externalAddresses(svc({ type: 'NodePort', externalIPs: ['10.1.1.1'] }))).toBe('10.1.1.1');
    expect(externalAddresses(svc({ type: 'ExternalName', externalName: 'db.example.com' }))).toBe('db.example.com');
  });

  it('prints ports as port:targetPort/protocol with the node port', () => {
    expect(portText({ port: 80, targetPort: 8080, protocol: 'TCP' })).toBe('80:8080/TCP');
    expect(portText({ port: 53, protocol: 'UDP', name: 'dns' })).toBe('dns 53/UDP');
    expect(portText({ port: 80, targetPort: 80, nodePort: 30080 })).toBe('80/TCP node 30080');
  });

  it('lists ready addresses before not-ready ones, with their pods and nodes', () => {
    const ep = {
      subsets: [{
        addresses: [{ ip: '10.42.0.2', nodeName: 'sim-1', targetRef: { kind: 'Pod', name: 'web-1' } }],
        notReadyAddresses: [{ ip: '10.42.1.2', nodeName: 'sim-2', targetRef: { kind: 'Pod', name: 'web-2' } }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      }],
    };
    expect(endpointRows(ep)).toEqual([
      { ip: '10.42.0.2', ready: true, pod: 'web-1', node: 'sim-1', ports: '8080/TCP' },
      { ip: '10.42.1.2', ready: false, pod: 'web-2', node: 'sim-2', ports: '8080/TCP' },
    ]);
    expect(endpointsText(ep)).toBe('10.42.0.2:8080');
    expect(endpointsText({})).toBe('<none>');
  });
});

describe('label selectors', () => {
  it('an empty Service selector selects nothing; an empty LabelSelector everything', () => {
    expect(matchesServiceSelector({}, { app: 'web' })).toBe(false);
    expect(matchesServiceSelector({ app: 'web' }, { app: 'web', tier: 'x' })).toBe(true);
    expect(matchesLabelSelector({}, { app: 'web' })).toBe(true);
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] }, { app: 'web' })).toBe(true);
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }] }, { app: 'web' })).toBe(false);
  });
});

describe('event rows', () => {
  const at = (iso: string): Event => ({ metadata: { name: iso, namespace: 'a' }, involvedObject: {}, lastTimestamp: iso });
  it('takes the last time from lastTimestamp, a series, eventTime or creation', () => {
    expect(lastSeen({ involvedObject: {}, metadata: {}, eventTime: '2026-01-01T00:00:02.000000Z' })).toBe(Date.parse('2026-01-01T00:00:02Z'));
    expect(lastSeen({ involvedObject: {}, metadata: { creationTimestamp: '2026-01-01T00:00:03Z' } })).toBe(Date.parse('2026-01-01T00:00:03Z'));
    expect(lastSeen({ involvedObject: {}, metadata: {}, series: { count: 4, lastObservedTime: '2026-01-01T00:00:05.000000Z' } })).toBe(Date.parse('2026-01-01T00:00:05Z'));
  });

  it('sorts newest first and filters by namespace, type and text', () => {
    const events = [at('2026-01-01T00:00:01Z'), { ...at('2026-01-01T00:00:03Z'), type: 'Warning', reason: 'BackOff' }, { ...at('2026-01-01T00:00:02Z'), metadata: { name: 'b', namespace: 'b' } }];
    expect(eventRows(events, { namespace: '', warningsOnly: false, text: '' }).map((e) => e.metadata?.name)).toEqual(['2026-01-01T00:00:03Z', 'b', '2026-01-01T00:00:01Z']);
    expect(eventRows(events, { namespace: 'a', warningsOnly: false, text: '' })).toHaveLength(2);
    expect(eventRows(events, { namespace: '', warningsOnly: true, text: '' })).toHaveLength(1);
    expect(eventRows(events, { namespace: '', warningsOnly: false, text: 'backoff' })).toHaveLength(1);
  });

  it('links to the view that shows the object, or to the editor', () => {
    expect(involvedObjectHref({ metadata: {}, involvedObject: { kind: 'Secret', namespace: 'a', name: 's' } })).toBe('#/config?tab=secrets&namespace=a&name=s');
    expect(involvedObjectHref({ metadata: {}, involvedObject: { kind: 'Pod', namespace: 'a', name: 'p' } })).toBe('#/editor?kind=pods&namespace=a&name=p');
    expect(involvedObjectHref({ metadata: {}, involvedObject: { kind: 'Lease', namespace: 'a', name: 'l' } })).toBeUndefined();
  });
});

describe('rbac text', () => {
  it('reads rules as verbs on resources, names and URLs', () => {
    expect(ruleText({ apiGroups: [''], resources: ['secrets'], resourceNames: ['db'], verbs: ['get'] })).toEqual({ verbs: 'get', on: 'secrets', groups: 'core', names: 'db' });
    expect(ruleText({ nonResourceURLs: ['/healthz', '/version'], verbs: ['get'] })).toEqual({ verbs: 'get', on: 'URLs /healthz, /version' });
    expect(ruleText({ apiGroups: ['*'], resources: ['*'], verbs: ['*'] })).toEqual({ verbs: 'all verbs', on: 'all resources', groups: 'all groups' });
  });

  it('finds what a ServiceAccount is granted, directly and through its groups', () => {
    const ref = (kind: string, name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind, name });
    const view: ClusterRole = { metadata: { name: 'view' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] };
    const direct: RoleBinding = { metadata: { name: 'direct', namespace: 'apps' }, roleRef: ref('ClusterRole', 'view'), subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'apps' }] };
    const other: RoleBinding = { metadata: { name: 'other', namespace: 'apps' }, roleRef: ref('ClusterRole', 'view'), subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'elsewhere' }] };
    const group: ClusterRoleBinding = { metadata: { name: 'all-sa' }, roleRef: ref('ClusterRole', 'missing'), subjects: [{ kind: 'Group', name: 'system:serviceaccounts:apps' }] };
    const grants = grantsFor({ kind: 'ServiceAccount', name: 'ci', namespace: 'apps' }, {
      roles: new Map(), clusterRoles: new Map([['view', view]]), roleBindings: [direct, other], clusterRoleBindings: [group],
    });
    expect(grants.map((g) => [g.scope, g.binding.metadata?.name, g.role?.metadata?.name, g.via.kind])).toEqual([
      ['', 'all-sa', undefined, 'Group'],
      ['apps', 'direct', 'view', 'ServiceAccount'],
    ]);
  });
});
