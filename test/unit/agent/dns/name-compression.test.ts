// Compressed messages decode to what was encoded, are smaller, and leave record data alone.
import { describe, expect, it } from 'vitest';
import dnsPacket, { type Packet } from 'dns-packet';
import { compressNames } from '../../../../src-main/agent/dns/name-compression.ts';

const packet: Packet = {
  id: 1, type: 'response', flags: dnsPacket.AUTHORITATIVE_ANSWER,
  questions: [{ name: '_PG._tcp.db.Shop.svc.cluster.local', type: 'SRV', class: 'IN' }],
  answers: ['db-0', 'db-1', 'db-2'].map((h, i) => ({ name: '_pg._tcp.db.shop.svc.cluster.local', type: 'SRV' as const, ttl: 5, data: { priority: 0, weight: 33, port: 5432 + i, target: `${h}.db.shop.svc.cluster.local` } })),
  authorities: [{ name: 'cluster.local', type: 'SOA', ttl: 5, data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 } }],
  additionals: [
    ...['db-0', 'db-1', 'db-2'].map((h, i) => ({ name: `${h}.db.shop.svc.cluster.local`, type: 'A' as const, ttl: 5, data: `10.42.0.${i}` })),
    { name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] },
  ],
};

describe('name compression', () => {
  it('decodes to the same message, names compared case-insensitively', () => {
    const plain = dnsPacket.encode(packet);
    const compressed = compressNames(plain);
    expect(compressed.length).toBeLessThan(plain.length * 0.7);
    const lower = (p: object): unknown => JSON.parse(JSON.stringify(p).toLowerCase());
    expect(lower(dnsPacket.decode(compressed))).toEqual(lower(dnsPacket.decode(plain)));
  });

  it('keeps the spelling of the question, which 0x20-randomising resolvers compare', () => {
    const decoded = dnsPacket.decode(compressNames(dnsPacket.encode(packet)));
    expect(decoded.questions?.[0].name).toBe('_PG._tcp.db.Shop.svc.cluster.local');
  });

  it('leaves SRV targets uncompressed in the record data (RFC 2782)', () => {
    const compressed = compressNames(dnsPacket.encode(packet));
    expect(compressed.includes(Buffer.from('\x04db-0\x02db\x04shop\x03svc\x07cluster\x05local\x00', 'latin1'))).toBe(true);
  });
});
