// Fitting replies into datagrams and reading queries: what TC, EDNS and malformed input do.
import { describe, expect, it } from 'vitest';
import dnsPacket, { type Answer, type Packet } from 'dns-packet';
import { encodeWithin, readQuery, reply, udpLimit } from '../../../../src-main/agent/dns/dns-message.ts';
import { frame, FrameReader } from '../../../../src-main/agent/dns/tcp-frames.ts';

const opt = (udpPayloadSize: number): Answer => ({ name: '.', type: 'OPT', udpPayloadSize, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] });
const ask = (extra: Partial<Packet> = {}): Buffer =>
  dnsPacket.encode({ id: 9, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: 'big.shop.svc.cluster.local', type: 'A', class: 'IN' }], ...extra });
const many = (n: number): Answer[] => Array.from({ length: n }, (_, i) => ({ name: 'big.shop.svc.cluster.local', type: 'A', ttl: 5, data: `10.42.0.${i}` }));

describe('dns messages', () => {
  it('reads queries and nothing else', () => {
    expect(readQuery(ask())?.questions?.[0].name).toBe('big.shop.svc.cluster.local');
    expect(readQuery(Buffer.alloc(5))).toBeUndefined();
    expect(readQuery(ask().subarray(0, 20))).toBeUndefined();
    const response = ask();
    response.writeUInt16BE(response.readUInt16BE(2) | 0x8000, 2);
    expect(readQuery(response)).toBeUndefined(); // never answer an answer: no reflection loops
  });

  it('allows 512 bytes, or what an EDNS client offers up to 1232', () => {
    expect(udpLimit(readQuery(ask())!)).toBe(512);
    expect(udpLimit(readQuery(ask({ additionals: [opt(4096)] }))!)).toBe(1232);
    expect(udpLimit(readQuery(ask({ additionals: [opt(100)] }))!)).toBe(512);
  });

  it('replies with the id, the question, RD copied, RA, AA when authoritative, and OPT when asked with one', () => {
    const q = readQuery(ask({ additionals: [opt(4096)] }))!;
    const r = dnsPacket.decode(dnsPacket.encode(reply(q, { rcode: 'NXDOMAIN', authoritative: true }))) as ReturnType<typeof dnsPacket.decode> & { rcode: string };
    expect([r.id, r.rcode, r.flag_qr, r.flag_rd, r.flag_ra, r.flag_aa, r.flag_tc]).toEqual([9, 'NXDOMAIN', true, true, true, true, false]);
    expect(r.questions).toEqual(q.questions);
    expect(r.additionals?.map((a) => a.type)).toEqual(['OPT']);
  });

  it('cuts what does not fit, additional records first, keeps OPT, and sets TC', () => {
    const q = readQuery(ask({ additionals: [opt(1232)] }))!;
    const packet = reply(q, { rcode: 'NOERROR', answers: many(100), additionals: many(3) });
    const bytes = encodeWithin(packet, 512);
    const r = dnsPacket.decode(bytes);
    expect(bytes.length).toBeLessThanOrEqual(512);
    expect(r.flag_tc).toBe(true);
    expect(r.additionals?.map((a) => a.type)).toEqual(['OPT']);
    // As many answers as fit: one more would not.
    const n = r.answers!.length;
    expect(n).toBeGreaterThan(0);
    expect(encodeWithin({ ...packet, additionals: r.additionals, answers: many(n + 1) }, 65535).length).toBeGreaterThan(512);
    expect(n).toBeGreaterThanOrEqual(25); // owner names compressed: uncompressed, only 11 fit
    const small = encodeWithin(reply(q, { rcode: 'NOERROR', answers: many(2) }), 512);
    expect(dnsPacket.decode(small).flag_tc).toBe(false);
  });

  it('frames TCP messages and reassembles them from any split', () => {
    const a = frame(ask());
    const b = frame(Buffer.from('second'));
    const stream = Buffer.concat([a, b]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const reader = new FrameReader();
      const got = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))];
      expect(got.map((m) => m.toString('hex')), `cut at ${cut}`).toEqual([ask().toString('hex'), Buffer.from('second').toString('hex')]);
    }
  });
});
