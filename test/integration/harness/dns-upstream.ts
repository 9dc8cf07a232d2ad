// A test-owned nameserver on loopback standing in for a node's upstream resolver: fixed A
// records, NXDOMAIN for the rest, answers over UDP cut to a bare TC reply when over 512 bytes
// (so a client must come back over TCP), and a log of what it was asked, over which transport.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import dnsPacket, { type Packet } from 'dns-packet';
import { frame, FrameReader } from '../../../src-main/agent/dns/tcp-frames.ts';

export interface UpstreamQuery {
  name: string;
  type: string;
  transport: 'udp' | 'tcp';
}

export class UpstreamDNS {
  readonly queries: UpstreamQuery[] = [];
  private udp?: UdpSocket;
  private tcp?: Server;
  private readonly connections = new Set<Socket>();
  port = 0;

  constructor(private readonly records: Record<string, string[]>) {}

  async start(): Promise<void> {
    this.udp = createSocket('udp4');
    await new Promise<void>((r) => this.udp!.bind(0, '127.0.0.1', () => r()));
    this.port = this.udp.address().port;
    this.udp.on('message', (msg, from) => {
      const out = this.answer(msg, 'udp');
      if (out) this.udp?.send(out, from.port, from.address);
    });
    this.tcp = createServer((socket) => {
      this.connections.add(socket);
      socket.on('close', () => this.connections.delete(socket));
      const frames = new FrameReader();
      socket.on('data', (chunk) => {
        for (const m of frames.push(chunk)) {
          const out = this.answer(m, 'tcp');
          if (out) socket.write(frame(out));
        }
      });
    });
    await new Promise<void>((r) => this.tcp!.listen(this.port, '127.0.0.1', () => r()));
    if ((this.tcp.address() as AddressInfo).port !== this.port) throw new Error('tcp port differs');
  }

  async stop(): Promise<void> {
    for (const c of this.connections) c.destroy();
    await Promise.all([
      this.udp && new Promise<void>((r) => this.udp!.close(() => r())),
      this.tcp && new Promise<void>((r) => this.tcp!.close(() => r())),
    ]);
    this.udp = undefined;
    this.tcp = undefined;
  }

  private answer(msg: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined {
    const query = dnsPacket.decode(msg);
    const q = query.questions![0];
    this.queries.push({ name: q.name.toLowerCase(), type: q.type, transport });
    const ips = q.type === 'A' ? this.records[q.name.toLowerCase()] : undefined;
    const known = q.name.toLowerCase() in this.records;
    const reply: Packet = {
      id: query.id, type: 'response', flags: dnsPacket.RECURSION_AVAILABLE | (known ? 0 : 3), questions: query.questions,
      answers: (ips ?? []).map((ip) => ({ name: q.name, type: 'A', ttl: 60, data: ip })),
    };
    const bytes = dnsPacket.encode(reply);
    if (transport === 'tcp' || bytes.length <= 512) return bytes;
    return dnsPacket.encode({ ...reply, flags: reply.flags! | dnsPacket.TRUNCATED_RESPONSE, answers: [] });
  }
}
