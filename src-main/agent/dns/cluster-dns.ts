// The cluster DNS server each node's agent runs for its pods: names in the cluster zone are
// answered from the directory (the agent's informer caches) at query time, reverse names of
// cluster addresses likewise, and every other name is forwarded to the node's upstream
// nameservers. It listens on UDP and TCP on one address and port, as a nameserver must.
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import dnsPacket, { type DecodedPacket, type RecordType } from 'dns-packet';
import type { ClusterDirectory } from './cluster-directory.ts';
import { ClusterRecords, type Resolution } from './cluster-records.ts';
import { canonicalName, labelsInZone } from './dns-names.ts';
import { encodeWithin, readQuery, reply, udpLimit, type ReplyContent } from './dns-message.ts';
import { Forwarder } from './forwarder.ts';
import { formatNameserver, parseNameserver, type Nameserver } from './nameservers.ts';
import { frame, FrameReader } from './tcp-frames.ts';

export interface ClusterDNSOptions {
  /** UDP and TCP are both served here. */
  address: string;
  /** 0 picks a free port (the same one for UDP and TCP). */
  port: number;
  zone?: string;
  directory: ClusterDirectory;
  /** "ip" or "ip:port" nameservers for the names outside the cluster, tried in order. */
  upstream: string[];
  log?: (line: string) => void;
  /** How long each upstream has to answer (default 2 s). */
  upstreamTimeoutMs?: number;
}

/** A TCP client that stays silent this long is dropped (RFC 7766 recommends seconds, not minutes). */
const TCP_IDLE_MS = 10_000;
const TCP_MAX = 65_535;
/** How many ExternalName → ExternalName hops are followed inside the zone before giving up. */
const MAX_CHASE = 8;

export class ClusterDNS {
  private readonly records: ClusterRecords;
  private readonly upstream: Nameserver[];
  /** One per start(): stop() closes it for good. */
  private forwarder?: Forwarder;
  private readonly log: (line: string) => void;
  private udp?: UdpSocket;
  private tcp?: Server;
  private readonly connections = new Set<Socket>();
  private boundPort = 0;

  constructor(private readonly options: ClusterDNSOptions) {
    this.log = options.log ?? (() => {});
    this.records = new ClusterRecords(options.directory, options.zone);
    this.upstream = options.upstream.map(parseNameserver);
    // A node whose resolv.conf names this server would forward every outside name back to itself.
    const self = this.upstream.find((ns) => ns.host === options.address && ns.port === options.port);
    if (self) throw new Error(`upstream nameserver "${formatNameserver(self)}" is this DNS server itself: forwarding would loop`);
  }

  /** The port both sockets listen on (the chosen one once started with port 0). */
  get port(): number {
    return this.boundPort || this.options.port;
  }

  async start(): Promise<void> {
    if (this.udp) throw new Error('dns: already started');
    const { address, port } = this.options;
    // With port 0 the kernel picks the UDP port; TCP may find that port taken and needs another try.
    for (let attempt = 1; ; attempt++) {
      const udp = await this.bindUdp(address, port);
      const chosen = udp.address().port;
      try {
        this.tcp = await this.listenTcp(address, chosen);
        this.udp = udp;
        this.boundPort = chosen;
        this.forwarder = new Forwarder(this.upstream, this.log, this.options.upstreamTimeoutMs);
        break;
      } catch (e) {
        await new Promise<void>((r) => udp.close(() => r()));
        if (port !== 0 || attempt === 10 || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      }
    }
    this.log(`dns: serving ${this.records.zone} on ${address}:${this.boundPort} (udp, tcp)`);
  }

  async stop(): Promise<void> {
    const { udp, tcp } = this;
    this.udp = undefined;
    this.tcp = undefined;
    this.forwarder?.close();
    this.forwarder = undefined;
    for (const c of this.connections) c.destroy();
    await Promise.all([
      udp && new Promise<void>((r) => udp.close(() => r())),
      tcp && new Promise<void>((r) => tcp.close(() => r())),
    ]);
  }

  private bindUdp(address: string, port: number): Promise<UdpSocket> {
    return new Promise((resolve, reject) => {
      const udp = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
      udp.once('error', (e) => reject(new Error(`dns: cannot listen on ${address}:${port}/udp: ${e.message}`)));
      udp.bind(port, address, () => {
        udp.removeAllListeners('error');
        udp.on('error', (e) => this.log(`dns: udp socket: ${e.message}`));
        udp.on('message', (message, from) => this.onDatagram(udp, message, from));
        resolve(udp);
      });
    });
  }

  private listenTcp(address: string, port: number): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => this.onConnection(socket));
      server.once('error', (e: NodeJS.ErrnoException) => {
        const err: NodeJS.ErrnoException = new Error(`dns: cannot listen on ${address}:${port}/tcp: ${e.message}`);
        err.code = e.code;
        reject(err);
      });
      server.listen(port, address, () => {
        server.removeAllListeners('error');
        server.on('error', (e) => this.log(`dns: tcp server: ${e.message}`));
        resolve(server);
      });
    });
  }

  private onDatagram(udp: UdpSocket, message: Buffer, from: RemoteInfo): void {
    void this.answer(message, 'udp').then((out) => {
      if (out && this.udp === udp) udp.send(out, from.port, from.address, () => {});
    });
  }

  private onConnection(socket: Socket): void {
    this.connections.add(socket);
    const frames = new FrameReader();
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    socket.on('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      for (const message of frames.push(chunk)) {
        void this.answer(message, 'tcp').then((out) => {
          // Not a DNS query: a stream cannot be resynchronised, so the connection goes.
          if (!out) socket.destroy();
          else if (!socket.destroyed) socket.write(frame(out));
        });
      }
    });
  }

  /** The reply to one message, or undefined to drop it. Never throws: input cannot stop the server. */
  private async answer(message: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    const query = readQuery(message);
    if (!query) return undefined;
    try {
      const limit = transport === 'udp' ? udpLimit(query) : TCP_MAX;
      const content = await this.content(query, message, limit);
      return Buffer.isBuffer(content) ? content : encodeWithin(reply(query, content), limit);
    } catch (e) {
      this.log(`dns: dropped a query: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** What to answer: records (encoded by the caller) or an upstream's reply as it came. */
  private async content(query: DecodedPacket, message: Buffer, limit: number): Promise<ReplyContent | Buffer> {
    if ((query as { opcode?: string }).opcode !== 'QUERY') return { rcode: 'NOTIMP' };
    if (query.questions?.length !== 1) return { rcode: 'FORMERR' };
    const question = query.questions[0];
    if (question.class !== 'IN' && question.class !== 'ANY') return { rcode: 'REFUSED' };
    const local = this.records.resolve(question.name, question.type);
    if (local) return { ...(await this.chased(local, question.type)), authoritative: true };
    const upstream = await this.forwarder?.forward(message);
    if (!upstream) return { rcode: 'SERVFAIL' };
    // Too big for the client's datagram: say so and let it ask again over TCP.
    if (upstream.length > limit) return { rcode: 'NOERROR', truncated: true };
    return upstream;
  }

  /** An ExternalName's CNAME followed to the target's records, as the spec's example answer shows. */
  private async chased(resolution: Resolution, type: RecordType, depth = 0): Promise<ReplyContent> {
    const { chase: target, ...content } = resolution;
    if (!target || depth >= MAX_CHASE) return content;
    if (labelsInZone(target, this.records.zone)) {
      const inside = this.records.resolve(target, type);
      if (!inside) return content;
      const rest = await this.chased(inside, type, depth + 1);
      return { ...rest, answers: [...resolution.answers, ...(rest.answers ?? [])] };
    }
    const bytes = dnsPacket.encode({ id: 0, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: canonicalName(target), type, class: 'IN' }] });
    const upstream = await this.forwarder?.forward(bytes);
    const decoded = upstream && readReply(upstream);
    if (!decoded) return content; // the CNAME alone: the client may resolve the target itself
    return { ...content, rcode: decoded.rcode === 'NXDOMAIN' ? 'NXDOMAIN' : 'NOERROR', answers: [...resolution.answers, ...(decoded.answers ?? [])], authorities: decoded.answers?.length ? [] : decoded.authorities };
  }
}

function readReply(bytes: Buffer): (DecodedPacket & { rcode?: string }) | undefined {
  try {
    return dnsPacket.decode(bytes);
  } catch {
    return undefined;
  }
}
