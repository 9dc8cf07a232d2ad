// Name → records in the cluster zone, case by case from the Kubernetes DNS specification
// (schema 1.1.0): services with a cluster IP, headless services with and without endpoint
// hostnames, ExternalName, SRV for both kinds, pod and reverse records, NXDOMAIN versus NODATA.
import { describe, expect, it } from 'vitest';
import type { Answer } from 'dns-packet';
import { ClusterRecords, SCHEMA_VERSION, type Resolution } from '../../../../src-main/agent/dns/cluster-records.ts';
import { clusterIPService, headlessService, MemoryDirectory, service, slice } from '../../../fixtures/dns/directory.ts';

const web = clusterIPService('shop', 'web', '10.43.0.20', [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }, { port: 9000 }]);
const db = headlessService('shop', 'db', [{ name: 'pg', port: 5432 }]);
const dbSlice = slice(db, [
  { ip: '10.42.1.5', hostname: 'db-0' },
  { ip: '10.42.2.6', hostname: 'db-1', ready: true },
  { ip: '10.42.3.7', hostname: 'db-2', ready: false },
  { ip: '10.42.3.8' },
], [{ name: 'pg', port: 15432, protocol: 'TCP' }]);

function records(dir = new MemoryDirectory().put(web).put(db, dbSlice), zone?: string): ClusterRecords {
  return new ClusterRecords(dir, zone);
}

const data = (r: Resolution | undefined): unknown[] => (r?.answers ?? []).map((a) => (a as { data: unknown }).data);
const soaOf = (r: Resolution | undefined): Answer | undefined => r?.authorities.find((a) => a.type === 'SOA');

describe('cluster records', () => {
  it('answers a ClusterIP service with its cluster IP, TTL 5', () => {
    const r = records().resolve('web.shop.svc.cluster.local', 'A');
    expect(r?.rcode).toBe('NOERROR');
    expect(r?.answers).toEqual([{ name: 'web.shop.svc.cluster.local', type: 'A', class: 'IN', ttl: 5, data: '10.43.0.20' }]);
    expect(r?.authorities).toEqual([]);
  });

  it('matches names case-insensitively, with or without the trailing dot, keeping the spelling asked', () => {
    const r = records().resolve('WEB.Shop.svc.Cluster.Local.', 'A');
    expect(data(r)).toEqual(['10.43.0.20']);
    expect(r?.answers[0].name).toBe('WEB.Shop.svc.Cluster.Local');
  });

  it('says NODATA with the zone SOA for a type the name has no records of (AAAA of an IPv4 service)', () => {
    const r = records().resolve('web.shop.svc.cluster.local', 'AAAA');
    expect(r?.rcode).toBe('NOERROR');
    expect(r?.answers).toEqual([]);
    expect(soaOf(r)).toMatchObject({ name: 'cluster.local', ttl: 5, data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', minimum: 5 } });
  });

  it('says NXDOMAIN with the zone SOA for names in the zone that do not exist', () => {
    for (const name of ['nope.shop.svc.cluster.local', 'web.other.svc.cluster.local', 'a.b.c.d.e.f.svc.cluster.local', 'web.cluster.local', 'x.y.cluster.local']) {
      const r = records().resolve(name, 'A');
      expect(r?.rcode, name).toBe('NXDOMAIN');
      expect(r?.answers, name).toEqual([]);
      expect(soaOf(r)?.name, name).toBe('cluster.local');
    }
  });

  it('answers the zone apex SOA, the schema version TXT, and NODATA for the namespace levels', () => {
    const r = records();
    expect(r.resolve('cluster.local', 'SOA')?.answers[0]).toMatchObject({ type: 'SOA', name: 'cluster.local' });
    expect(data(r.resolve('dns-version.cluster.local', 'TXT'))).toEqual([SCHEMA_VERSION]);
    expect(SCHEMA_VERSION).toBe('1.1.0');
    for (const name of ['svc.cluster.local', 'shop.svc.cluster.local', 'pod.cluster.local', 'shop.pod.cluster.local']) {
      const res = r.resolve(name, 'A');
      expect([res?.rcode, res?.answers.length, !!soaOf(res)], name).toEqual(['NOERROR', 0, true]);
    }
  });

  it('says NXDOMAIN for a namespace without services, so a short name\'s search goes on (musl stops at NODATA)', () => {
    const r = records();
    // "nas" looked up from a pod in shop, through its search list (ndots 5), until the name as it is.
    expect(['nas.shop.svc.cluster.local', 'nas.svc.cluster.local', 'nas.cluster.local'].map((n) => r.resolve(n, 'A')?.rcode)).toEqual(['NXDOMAIN', 'NXDOMAIN', 'NXDOMAIN']);
    expect(r.resolve('nas', 'A')).toBeUndefined();
    expect(['google.com.shop.svc.cluster.local', 'google.com.svc.cluster.local', 'google.com.cluster.local'].map((n) => r.resolve(n, 'AAAA')?.rcode)).toEqual(['NXDOMAIN', 'NXDOMAIN', 'NXDOMAIN']);
  });

  it('leaves names outside the zone to the caller (forwarding)', () => {
    const r = records();
    expect(r.resolve('example.com', 'A')).toBeUndefined();
    expect(r.resolve('cluster.local.example.com', 'A')).toBeUndefined();
    expect(r.resolve('notcluster.local', 'A')).toBeUndefined();
  });

  it('answers ANY with the addresses, and unknown types with NODATA', () => {
    expect(data(records().resolve('web.shop.svc.cluster.local', 'ANY'))).toEqual(['10.43.0.20']);
    expect(records().resolve('web.shop.svc.cluster.local', 'UNKNOWN_65')).toMatchObject({ rcode: 'NOERROR', answers: [] });
  });

  it('answers a headless service with one A per ready endpoint, leaving not-ready ones out', () => {
    expect(data(records().resolve('db.shop.svc.cluster.local', 'A')).sort()).toEqual(['10.42.1.5', '10.42.2.6', '10.42.3.8']);
  });

  it('includes not-ready endpoints when the service publishes not-ready addresses', () => {
    const tolerant = headlessService('shop', 'db', [], true);
    const dir = new MemoryDirectory().put(tolerant, slice(tolerant, [{ ip: '10.42.1.5', ready: false }, { ip: '10.42.1.6' }]));
    expect(data(records(dir).resolve('db.shop.svc.cluster.local', 'A')).sort()).toEqual(['10.42.1.5', '10.42.1.6']);
  });

  it('publishes an address found in two slices once, and only slices of IP address types', () => {
    const dir = new MemoryDirectory().put(db, slice(db, [{ ip: '10.42.1.5' }]), slice(db, [{ ip: '10.42.1.5' }, { ip: '10.42.1.9' }]),
      { ...slice(db, []), addressType: 'FQDN', endpoints: [{ addresses: ['example.com'] }] });
    expect(data(records(dir).resolve('db.shop.svc.cluster.local', 'A')).sort()).toEqual(['10.42.1.5', '10.42.1.9']);
  });

  it('says NXDOMAIN for a headless service without ready endpoints (spec 2.4.1)', () => {
    const dir = new MemoryDirectory().put(db, slice(db, [{ ip: '10.42.1.5', ready: false }]));
    expect(records(dir).resolve('db.shop.svc.cluster.local', 'A')?.rcode).toBe('NXDOMAIN');
  });

  it('gives endpoints with a hostname their own A record under the service (StatefulSet pods)', () => {
    const r = records();
    expect(data(r.resolve('db-1.db.shop.svc.cluster.local', 'A'))).toEqual(['10.42.2.6']);
    expect(data(r.resolve('DB-0.db.shop.svc.cluster.local.', 'A'))).toEqual(['10.42.1.5']);
    // Not ready: no record. Without hostname: the dashed IP names it, as CoreDNS does.
    expect(r.resolve('db-2.db.shop.svc.cluster.local', 'A')?.rcode).toBe('NXDOMAIN');
    expect(data(r.resolve('10-42-3-8.db.shop.svc.cluster.local', 'A'))).toEqual(['10.42.3.8']);
    expect(r.resolve('10-42-1-5.db.shop.svc.cluster.local', 'A')?.rcode).toBe('NXDOMAIN');
    expect(r.resolve('db-1.db.shop.svc.cluster.local', 'AAAA')).toMatchObject({ rcode: 'NOERROR', answers: [] });
  });

  it('answers an ExternalName service with a CNAME, to be followed unless the CNAME itself was asked', () => {
    const ext = service('shop', 'mail', { type: 'ExternalName', externalName: 'Mail.Example.COM.' });
    const r = records(new MemoryDirectory().put(ext));
    const a = r.resolve('mail.shop.svc.cluster.local', 'A');
    expect(a?.answers).toEqual([{ name: 'mail.shop.svc.cluster.local', type: 'CNAME', class: 'IN', ttl: 5, data: 'mail.example.com' }]);
    expect(a?.chase).toBe('mail.example.com');
    const cname = r.resolve('mail.shop.svc.cluster.local', 'CNAME');
    expect(data(cname)).toEqual(['mail.example.com']);
    expect(cname?.chase).toBeUndefined();
  });

  it('answers SRV for a named port of a ClusterIP service: the service port, the service name, its A as additional', () => {
    const r = records().resolve('_http._tcp.web.shop.svc.cluster.local', 'SRV');
    expect(data(r)).toEqual([{ priority: 0, weight: 100, port: 80, target: 'web.shop.svc.cluster.local' }]);
    expect(r?.additionals).toEqual([{ name: 'web.shop.svc.cluster.local', type: 'A', class: 'IN', ttl: 5, data: '10.43.0.20' }]);
  });

  it('has no SRV for another protocol, an unknown port name, or an unnamed port', () => {
    const r = records();
    for (const name of ['_http._udp.web.shop.svc.cluster.local', '_grpc._tcp.web.shop.svc.cluster.local', 'http.tcp.web.shop.svc.cluster.local']) {
      expect(r.resolve(name, 'SRV')?.rcode, name).toBe('NXDOMAIN');
    }
    expect(r.resolve('_HTTP._TCP.web.shop.svc.cluster.local', 'A')).toMatchObject({ rcode: 'NOERROR', answers: [] });
  });

  it('answers SRV for a headless service with one record per ready endpoint, on the endpoint port', () => {
    const r = records().resolve('_pg._tcp.db.shop.svc.cluster.local', 'SRV');
    const srv = data(r) as { port: number; target: string }[];
    expect(srv.map((s) => s.target).sort()).toEqual(['10-42-3-8.db.shop.svc.cluster.local', 'db-0.db.shop.svc.cluster.local', 'db-1.db.shop.svc.cluster.local']);
    expect(new Set(srv.map((s) => s.port))).toEqual(new Set([15432]));
    expect(r?.additionals.map((a) => [a.name, (a as { data: string }).data]).sort()).toEqual([
      ['10-42-3-8.db.shop.svc.cluster.local', '10.42.3.8'], ['db-0.db.shop.svc.cluster.local', '10.42.1.5'], ['db-1.db.shop.svc.cluster.local', '10.42.2.6'],
    ]);
  });

  it('answers PTR for cluster IPs and headless endpoints, and leaves other addresses to the caller', () => {
    const r = records();
    expect(data(r.resolve('20.0.43.10.in-addr.arpa', 'PTR'))).toEqual(['web.shop.svc.cluster.local']);
    expect(data(r.resolve('5.1.42.10.IN-ADDR.ARPA.', 'PTR'))).toEqual(['db-0.db.shop.svc.cluster.local']);
    expect(data(r.resolve('8.3.42.10.in-addr.arpa', 'PTR'))).toEqual(['10-42-3-8.db.shop.svc.cluster.local']);
    expect(r.resolve('7.3.42.10.in-addr.arpa', 'PTR')).toBeUndefined(); // not ready
    expect(r.resolve('1.1.168.192.in-addr.arpa', 'PTR')).toBeUndefined();
    expect(r.resolve('20.0.43.10.in-addr.arpa', 'A')).toBeUndefined();
  });

  it('serves dual-stack services: AAAA for the IPv6 cluster IP, PTR through ip6.arpa', () => {
    const dual = service('shop', 'api', { type: 'ClusterIP', clusterIP: '10.43.0.30', clusterIPs: ['10.43.0.30', 'fd00:43::1e'] });
    const r = records(new MemoryDirectory().put(dual));
    expect(data(r.resolve('api.shop.svc.cluster.local', 'A'))).toEqual(['10.43.0.30']);
    expect(data(r.resolve('api.shop.svc.cluster.local', 'AAAA'))).toEqual(['fd00:43::1e']);
    const nibbles = 'e.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.4.0.0.0.0.d.f.ip6.arpa';
    expect(data(r.resolve(nibbles, 'PTR'))).toEqual(['api.shop.svc.cluster.local']);
  });

  it('answers the pod records a-b-c-d.<ns>.pod.<zone> with that address', () => {
    const r = records();
    expect(data(r.resolve('10-42-1-5.shop.pod.cluster.local', 'A'))).toEqual(['10.42.1.5']);
    expect(r.resolve('10-42-1-500.shop.pod.cluster.local', 'A')?.rcode).toBe('NXDOMAIN');
    expect(r.resolve('10-42-1-5.shop.pod.cluster.local', 'AAAA')).toMatchObject({ rcode: 'NOERROR', answers: [] });
  });

  it('answers from the directory as it is at query time', () => {
    const dir = new MemoryDirectory().put(web);
    const r = records(dir);
    expect(data(r.resolve('web.shop.svc.cluster.local', 'A'))).toEqual(['10.43.0.20']);
    dir.put(clusterIPService('shop', 'web', '10.43.0.99'));
    expect(data(r.resolve('web.shop.svc.cluster.local', 'A'))).toEqual(['10.43.0.99']);
    dir.remove('shop', 'web');
    expect(r.resolve('web.shop.svc.cluster.local', 'A')?.rcode).toBe('NXDOMAIN');
  });

  it('serves another cluster domain when configured, and then not cluster.local', () => {
    const r = records(undefined, 'Lab.Internal.');
    expect(data(r.resolve('web.shop.svc.lab.internal', 'A'))).toEqual(['10.43.0.20']);
    expect(r.resolve('web.shop.svc.cluster.local', 'A')).toBeUndefined();
  });
});
