// DNS messages on the wire: reading a query, building the reply to it, and fitting a reply into
// a UDP datagram (RFC 1035 4.2.1: 512 bytes unless the client's EDNS OPT offers more, RFC 6891;
// what does not fit is cut and flagged TC so the client asks again over TCP).
import dnsPacket, { type Answer, type DecodedPacket, type OptAnswer, type Packet } from 'dns-packet';
import { compressNames } from './name-compression.ts';

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type Rcode = keyof typeof RCODE;

const QR = 1 << 15;
const UDP_MIN = 512;
/** What this server offers and accepts over UDP with EDNS (the DNS flag day 2020 value). */
export const UDP_EDNS_MAX = 1232;

/** A decoded query, or undefined for anything that is not one (malformed bytes, a response). */
export function readQuery(bytes: Buffer): DecodedPacket | undefined {
  if (bytes.length < 12 || (bytes.readUInt16BE(2) & QR) !== 0) return undefined;
  try {
    return dnsPacket.decode(bytes);
  } catch {
    return undefined;
  }
}

function opt(packet: Packet): OptAnswer | undefined {
  return packet.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
}

/** The largest UDP reply the client accepts. */
export function udpLimit(query: Packet): number {
  const offered = opt(query)?.udpPayloadSize ?? UDP_MIN;
  return Math.min(Math.max(offered, UDP_MIN), UDP_EDNS_MAX);
}

export interface ReplyContent {
  rcode: Rcode;
  answers?: Answer[];
  authorities?: Answer[];
  additionals?: Answer[];
  authoritative?: boolean;
  /** Nothing of the answer fits: the client should ask again over TCP. */
  truncated?: boolean;
}

/** The reply to `query`: its id, question and RD flag, RA (this server recurses), and an OPT if the query had one. */
export function reply(query: DecodedPacket, content: ReplyContent): Packet {
  let flags = RCODE[content.rcode] | dnsPacket.RECURSION_AVAILABLE;
  if (query.flag_rd) flags |= dnsPacket.RECURSION_DESIRED;
  if (content.authoritative) flags |= dnsPacket.AUTHORITATIVE_ANSWER;
  if (content.truncated) flags |= dnsPacket.TRUNCATED_RESPONSE;
  const additionals = [...(content.additionals ?? [])];
  if (opt(query)) additionals.push({ name: '.', type: 'OPT', udpPayloadSize: UDP_EDNS_MAX, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] });
  return {
    id: query.id, type: 'response', flags,
    questions: query.questions, answers: content.answers ?? [], authorities: content.authorities ?? [], additionals,
  };
}

/**
 * The reply encoded to fit `limit` bytes: when it does not, the additional records go first
 * (keeping OPT), then answers from the end, and TC tells the client the answer is incomplete.
 */
export function encodeWithin(packet: Packet, limit: number): Buffer {
  const whole = encode(packet);
  if (whole.length <= limit) return whole;
  const cut: Packet = { ...packet, flags: (packet.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE, authorities: [], additionals: packet.additionals?.filter((a) => a.type === 'OPT') };
  const answers = packet.answers ?? [];
  const encoded = (n: number): Buffer => encode({ ...cut, answers: answers.slice(0, n) });
  // The most answers that fit, found by bisection: a large headless service has thousands.
  let fits = 0;
  let tooMany = answers.length;
  while (tooMany - fits > 1) {
    const mid = (fits + tooMany) >> 1;
    if (encoded(mid).length <= limit) fits = mid;
    else tooMany = mid;
  }
  return encoded(fits);
}

function encode(packet: Packet): Buffer {
  return compressNames(dnsPacket.encode(packet));
}

/** The same message under another id (forwarded queries and replies). */
export function withId(bytes: Buffer, id: number): Buffer {
  const copy = Buffer.from(bytes);
  copy.writeUInt16BE(id, 0);
  return copy;
}
