// The cluster DNS server on loopback, asked by real resolvers: Node's c-ares Resolver and
// busybox nslookup, plus raw UDP and TCP exchanges where the wire itself is the point (TC,
// EDNS sizes, ids, SERVFAIL). Names outside the zone go to a test-owned upstream nameserver.
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { execFile } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dnsPacket, { type Answer, type DecodedPacket, type Packet, type RecordType } from 'dns-packet';
import { ClusterDNS } from '../../src-main/agent/dns/cluster-dns.ts';
import { frame, FrameReader } from '../../src-main/agent/dns/tcp-frames.ts';
import { clusterIPService, headlessService, MemoryDirectory, service, slice } from '../fixtures/dns/directory.ts';
import { UpstreamDNS } from './harness/dns-upstream.ts';

const run = promisify(execFile);

const web = clusterIPService('shop', 'web', '10.43.0.20', [{ name: 'http', port: 80, protocol: 'TCP' }]);
const db = headlessService('shop', 'db', [{ name: 'pg', port: 5432 }]);
const big = headlessService('shop', 'big');
const mid = headlessService('shop', 'mid');
const forty = Array.from({ length: 40 }, (_, i) => `10.42.20.${10 + i}`);
// 100 addresses do not fit even the 1232 bytes of EDNS: c-ares has to come back over TCP.
const hundred = Array.from({ length: 100 }, (_, i) => `10.42.${Math.floor(i / 10)}.${10 + i}`);
const directory = new MemoryDirectory()
  .put(web)
  .put(db, slice(db, [{ ip: '10.42.1.5', hostname: 'db-0' }, { ip: '10.42.2.6', hostname: 'db-1' }, { ip: '10.42.3.7', hostname: 'db-2', ready: false }], [{ name: 'pg', port: 5432, protocol: 'TCP' }]))
  .put(big, slice(big, hundred.map((ip) => ({ ip }))))
  .put(mid, slice(mid, forty.map((ip) => ({ ip }))))
  .put(service('shop', 'mail', { type: 'ExternalName', externalName: 'mail.example.test' }))
  .put(service('shop', 'alias', { type: 'ExternalName', externalName: 'web.shop.svc.cluster.local' }));

const upstream = new UpstreamDNS({ 'www.example.test': ['192.0.2.10'], 'mail.example.test': ['192.0.2.25'], 'many.example.test': hundred.map((ip) => ip.replace(/^10\.42/, '198.51')) });
const logs: string[] = [];
let dns: ClusterDNS;

function resolver(port = dns.port): Resolver {
  const r = new Resolver({ timeout: 3000, tries: 1 });
  r.setServers([`127.0.0.1:${port}`]);
  return r;
}

function query(name: string, type: RecordType, over: Partial<Packet> = {}): Packet {
  return { id: 4242, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }], ...over };
}

function udpExchange(bytes: Buffer, port = dns.port): Promise<DecodedPacket & { rcode?: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => { socket.close(); reject(new Error('no udp answer')); }, 5000);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve({ ...dnsPacket.decode(msg), bytes: msg.length });
    });
    socket.send(bytes, port, '127.0.0.1');
  });
}

function tcpExchange(packet: Packet, port = dns.port): Promise<DecodedPacket & { rcode?: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const frames = new FrameReader();
    socket.on('connect', () => socket.write(dnsPacket.streamEncode(packet)));
    socket.on('data', (chunk) => {
      const [m] = frames.push(chunk);
      if (m) { socket.destroy(); resolve(dnsPacket.decode(m)); }
    });
    socket.on('error', reject);
  });
}

/** A record's fields whatever its type (OPT aside, which has no data). */
const rr = (a: Answer): { name: string; type: string; ttl?: number; data: unknown } => a as never;
const addresses = (p: DecodedPacket): string[] => (p.answers ?? []).filter((a) => a.type === 'A').map((a) => rr(a).data as string);

describe('cluster DNS server', () => {
  beforeAll(async () => {
    await upstream.start();
    dns = new ClusterDNS({ address: '127.0.0.1', port: 0, directory, upstream: [`127.0.0.1:${upstream.port}`], log: (l) => logs.push(l) });
    await dns.start();
  });
  afterAll(async () => {
    await dns?.stop();
    await upstream.stop();
  });

  it('answers A, SRV and NXDOMAIN to c-ares', async () => {
    const r = resolver();
    expect(await r.resolve4('web.shop.svc.cluster.local', { ttl: true })).toEqual([{ address: '10.43.0.20', ttl: 5 }]);
    expect(await r.resolveSrv('_http._tcp.web.shop.svc.cluster.local')).toEqual([{ name: 'web.shop.svc.cluster.local', port: 80, priority: 0, weight: 100 }]);
    expect((await r.resolve4('db.shop.svc.cluster.local')).sort()).toEqual(['10.42.1.5', '10.42.2.6']);
    expect((await r.resolveSrv('_pg._tcp.db.shop.svc.cluster.local')).map((s) => s.name).sort()).toEqual(['db-0.db.shop.svc.cluster.local', 'db-1.db.shop.svc.cluster.local']);
    expect(await r.resolve4('db-1.db.shop.svc.cluster.local')).toEqual(['10.42.2.6']);
    expect(await r.reverse('10.43.0.20')).toEqual(['web.shop.svc.cluster.local']);
    await expect(r.resolve4('nope.shop.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(r.resolve4('db-2.db.shop.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(r.resolve6('web.shop.svc.cluster.local')).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('answers authoritatively, with the SOA in the authority section of negative answers', async () => {
    const nx = await udpExchange(dnsPacket.encode(query('nope.shop.svc.cluster.local', 'A')));
    expect([nx.rcode, nx.flag_aa, nx.flag_ra, nx.id]).toEqual(['NXDOMAIN', true, true, 4242]);
    expect(nx.authorities?.map((a) => [a.type, a.name, rr(a).ttl])).toEqual([['SOA', 'cluster.local', 5]]);
    const nodata = await udpExchange(dnsPacket.encode(query('web.shop.svc.cluster.local', 'AAAA')));
    expect([nodata.rcode, nodata.answers?.length, nodata.authorities?.[0]?.type]).toEqual(['NOERROR', 0, 'SOA']);
  });

  it('answers busybox nslookup', async () => {
    const { stdout } = await run('busybox', ['nslookup', 'web.shop.svc.cluster.local', `127.0.0.1:${dns.port}`], { timeout: 20_000 });
    expect(stdout).toMatch(/Name:\s+web\.shop\.svc\.cluster\.local\s+Address:\s+10\.43\.0\.20/);
    const missing = await run('busybox', ['nslookup', 'nope.shop.svc.cluster.local', `127.0.0.1:${dns.port}`], { timeout: 20_000 }).catch((e: { stdout: string }) => e);
    expect(missing.stdout).toContain("can't find nope.shop.svc.cluster.local: NXDOMAIN");
  });

  it('answers queries over TCP over TCP', async () => {
    const reply = await tcpExchange(query('WEB.shop.svc.cluster.local', 'A', { id: 7 }));
    expect([reply.id, reply.flag_tc, addresses(reply)]).toEqual([7, false, ['10.43.0.20']]);
  });

  it('forwards other names upstream with the client\'s id, and never a cluster-zone name', async () => {
    upstream.queries.length = 0;
    expect(await resolver().resolve4('www.example.test')).toEqual(['192.0.2.10']);
    const relayed = await udpExchange(dnsPacket.encode(query('www.example.test', 'A', { id: 31337 })));
    expect([relayed.id, addresses(relayed)]).toEqual([31337, ['192.0.2.10']]);
    await expect(resolver().resolve4('nothing.example.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolver().resolve4('nope.shop.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolver().resolve4('nope.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(upstream.queries.map((q) => q.name)).toEqual(['www.example.test', 'www.example.test', 'nothing.example.test']);
  });

  it('follows an ExternalName CNAME to the target\'s addresses from upstream', async () => {
    const reply = await udpExchange(dnsPacket.encode(query('mail.shop.svc.cluster.local', 'A')));
    expect(reply.answers?.map((a) => [a.type, a.name, rr(a).data])).toEqual([['CNAME', 'mail.shop.svc.cluster.local', 'mail.example.test'], ['A', 'mail.example.test', '192.0.2.25']]);
    expect(await resolver().resolve4('mail.shop.svc.cluster.local')).toEqual(['192.0.2.25']);
    expect(await resolver().resolveCname('mail.shop.svc.cluster.local')).toEqual(['mail.example.test']);
    // A target inside the zone is answered here, never forwarded.
    upstream.queries.length = 0;
    const alias = await udpExchange(dnsPacket.encode(query('alias.shop.svc.cluster.local', 'A')));
    expect(alias.answers?.map((a) => [a.type, a.name, rr(a).data])).toEqual([['CNAME', 'alias.shop.svc.cluster.local', 'web.shop.svc.cluster.local'], ['A', 'web.shop.svc.cluster.local', '10.43.0.20']]);
    expect(upstream.queries).toEqual([]);
  });

  it('truncates a large headless answer over UDP, and c-ares gets all 100 addresses over TCP', async () => {
    const udp = await udpExchange(dnsPacket.encode(query('big.shop.svc.cluster.local', 'A')));
    expect(udp.flag_tc).toBe(true);
    expect(udp.bytes).toBeLessThanOrEqual(512);
    expect(addresses(udp).length).toBeGreaterThan(0);
    expect(addresses(udp).length).toBeLessThan(100);
    const tcp = await tcpExchange(query('big.shop.svc.cluster.local', 'A'));
    expect([tcp.flag_tc, addresses(tcp).sort()]).toEqual([false, [...hundred].sort()]);
    expect((await resolver().resolve4('big.shop.svc.cluster.local')).sort()).toEqual([...hundred].sort());
  });

  it('fits the answer into the larger datagram an EDNS client offers', async () => {
    // 40 addresses take about 700 bytes: too many for 512, few enough for EDNS.
    expect((await udpExchange(dnsPacket.encode(query('mid.shop.svc.cluster.local', 'A')))).flag_tc).toBe(true);
    const edns = query('mid.shop.svc.cluster.local', 'A', { additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] });
    const reply = await udpExchange(dnsPacket.encode(edns));
    expect([reply.flag_tc, addresses(reply).sort()]).toEqual([false, [...forty].sort()]);
    expect(reply.bytes).toBeGreaterThan(512);
    expect(reply.additionals?.some((a) => a.type === 'OPT')).toBe(true);
  });

  it('retries a truncated upstream answer over TCP, and relays it to the client through its own TCP retry', async () => {
    upstream.queries.length = 0;
    const udp = await udpExchange(dnsPacket.encode(query('many.example.test', 'A')));
    expect([udp.flag_tc, udp.id, udp.bytes <= 512]).toEqual([true, 4242, true]);
    expect(upstream.queries.map((q) => q.transport)).toEqual(['udp', 'tcp']);
    const all = await resolver().resolve4('many.example.test');
    expect(all).toHaveLength(100);
  });

  it('survives random bytes and mangled queries, closing TCP connections that send garbage', async () => {
    const valid = dnsPacket.encode(query('web.shop.svc.cluster.local', 'SRV'));
    let seed = 7;
    const random = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    const sender = createSocket('udp4');
    for (let i = 0; i < 3000; i++) {
      const bytes = i % 2 === 0 ? Buffer.from(Array.from({ length: random(600) }, () => random(256))) : Buffer.from(valid);
      if (i % 2 === 1) for (let k = 0; k <= random(6); k++) bytes[random(bytes.length)] = random(256);
      await new Promise<void>((r) => sender.send(bytes, dns.port, '127.0.0.1', () => r()));
    }
    sender.close();
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const socket = connect(dns.port, '127.0.0.1', () => socket.end(Buffer.from(Array.from({ length: random(3000) }, () => random(256)))));
        socket.on('close', () => resolve());
        socket.on('error', () => {});
        socket.resume();
      });
    }
    const closed = await new Promise<boolean>((resolve) => {
      const socket = connect(dns.port, '127.0.0.1', () => socket.write(frame(Buffer.from('this is not a dns message at all'))));
      socket.on('close', () => resolve(true));
      socket.on('error', () => {});
    });
    expect(closed).toBe(true);
    expect(await resolver().resolve4('web.shop.svc.cluster.local')).toEqual(['10.43.0.20']);
    expect((await tcpExchange(query('web.shop.svc.cluster.local', 'A'))).answers).toHaveLength(1);
  });

  it('answers SERVFAIL when no upstream answers', async () => {
    const down = new UpstreamDNS({});
    await down.start();
    const port = down.port;
    await down.stop();
    const lonely = new ClusterDNS({ address: '127.0.0.1', port: 0, directory, upstream: [`127.0.0.1:${port}`], upstreamTimeoutMs: 1000, log: (l) => logs.push(l) });
    await lonely.start();
    try {
      const reply = await udpExchange(dnsPacket.encode(query('www.example.test', 'A', { id: 99 })), lonely.port);
      expect([reply.rcode, reply.id, reply.answers?.length]).toEqual(['SERVFAIL', 99, 0]);
      await expect(resolver(lonely.port).resolve4('www.example.test')).rejects.toMatchObject({ code: 'ESERVFAIL' });
      // Cluster names do not need the upstream.
      expect(await resolver(lonely.port).resolve4('web.shop.svc.cluster.local')).toEqual(['10.43.0.20']);
      expect(logs.some((l) => l.includes(`upstream 127.0.0.1:${port} did not answer`))).toBe(true);
    } finally {
      await lonely.stop();
    }
  });

  it('asks the next upstream when one stays silent', async () => {
    const silent = await silentUpstream();
    const port = (silent.address() as { port: number }).port;
    const twoUpstreams = new ClusterDNS({ address: '127.0.0.1', port: 0, directory, upstream: [`127.0.0.1:${port}`, `127.0.0.1:${upstream.port}`], upstreamTimeoutMs: 300, log: (l) => logs.push(l) });
    await twoUpstreams.start();
    try {
      expect(await resolver(twoUpstreams.port).resolve4('www.example.test')).toEqual(['192.0.2.10']);
      expect(logs).toContain(`dns: upstream 127.0.0.1:${port} did not answer: no udp answer within 300 ms`);
    } finally {
      await twoUpstreams.stop();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('stops while a forward is in flight, leaving no socket behind', async () => {
    const silent = await silentUpstream();
    const asked = new Promise((r) => silent.once('message', r));
    const client = createSocket('udp4');
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
    const before = handles();
    // Twice: stopping must not move on to the next upstream.
    const silentAt = `127.0.0.1:${(silent.address() as { port: number }).port}`;
    const stopping = new ClusterDNS({ address: '127.0.0.1', port: 0, directory, upstream: [silentAt, silentAt], upstreamTimeoutMs: 60_000 });
    await stopping.start();
    client.send(dnsPacket.encode(query('www.example.test', 'A')), stopping.port, '127.0.0.1');
    await asked;
    await stopping.stop();
    await new Promise((r) => setImmediate(r));
    expect(handles()).toEqual(before);
    await new Promise<void>((r) => client.close(() => r()));
    await new Promise<void>((r) => silent.close(() => r()));
  });

  it('answers other opcodes NOTIMP, several questions FORMERR and other classes REFUSED', async () => {
    const q = query('web.shop.svc.cluster.local', 'A');
    const notify = dnsPacket.encode(q);
    notify.writeUInt16BE(notify.readUInt16BE(2) | (4 << 11), 2); // opcode NOTIFY
    expect((await udpExchange(notify)).rcode).toBe('NOTIMP');
    expect((await udpExchange(dnsPacket.encode({ ...q, questions: [...q.questions!, ...q.questions!] }))).rcode).toBe('FORMERR');
    expect((await udpExchange(dnsPacket.encode({ ...q, questions: [{ name: 'version.bind', type: 'TXT', class: 'CH' }] }))).rcode).toBe('REFUSED');
  });

  it('closes both sockets on stop: the port is free for UDP and TCP afterwards', async () => {
    const own = new ClusterDNS({ address: '127.0.0.1', port: 0, directory, upstream: [] });
    await own.start();
    const port = own.port;
    // While running, both transports hold the port.
    await expect(bindUdp(port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    // An idle client connection does not hold stop() up: it is closed.
    const idle = connect(port, '127.0.0.1');
    await new Promise((r) => idle.once('connect', r));
    const idleClosed = new Promise((r) => idle.once('close', r));
    await own.stop();
    await idleClosed;
    await bindUdp(port).then((s) => new Promise<void>((r) => s.close(() => r())));
    await new Promise<void>((resolve, reject) => {
      const server = createServer().once('error', reject).listen(port, '127.0.0.1', () => server.close(() => resolve()));
    });
  });

  it('starts again after a stop, forwarding as before', async () => {
    const again = new ClusterDNS({ address: '127.0.0.1', port: 0, directory, upstream: [`127.0.0.1:${upstream.port}`] });
    await again.start();
    await again.stop();
    await again.start();
    try {
      expect(await resolver(again.port).resolve4('www.example.test')).toEqual(['192.0.2.10']);
    } finally {
      await again.stop();
    }
  });

  it('says which address and transport it cannot listen on', async () => {
    const taken = await bindUdp(0);
    const port = taken.address().port;
    try {
      const clash = new ClusterDNS({ address: '127.0.0.1', port, directory, upstream: [] });
      await expect(clash.start()).rejects.toThrow(`dns: cannot listen on 127.0.0.1:${port}/udp: bind EADDRINUSE 127.0.0.1:${port}`);
    } finally {
      await new Promise<void>((r) => taken.close(() => r()));
    }
  });

  it('refuses bad upstream addresses with a precise error', () => {
    expect(() => new ClusterDNS({ address: '127.0.0.1', port: 0, directory, upstream: ['dns.example.com'] }))
      .toThrow('upstream nameserver "dns.example.com": not an IP address (want "ip" or "ip:port")');
    expect(() => new ClusterDNS({ address: '127.0.0.1', port: 0, directory, upstream: ['10.0.0.1:99999'] })).toThrow('port must be 1-65535');
  });
});

/** An upstream that reads queries and never answers. */
function silentUpstream(): Promise<ReturnType<typeof createSocket>> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.on('message', () => {});
    s.bind(0, '127.0.0.1', () => resolve(s));
  });
}

/** The process's sockets by kind (timers are left out: the test runner has its own). */
function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) if (/UDP|TCP/.test(kind)) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

function bindUdp(port: number): Promise<ReturnType<typeof createSocket>> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', (e) => { s.close(); reject(e); });
    s.bind(port, '127.0.0.1', () => resolve(s));
  });
}
