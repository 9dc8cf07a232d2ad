// Forwarding the names outside the cluster to the node's upstream nameservers, as CoreDNS's
// `forward` plugin does: each upstream in turn over UDP, the next one when it does not answer
// in time or refuses the datagram, and the same upstream again over TCP when its UDP answer was
// truncated. Each exchange uses its own socket and a fresh random id, so a reply is only
// accepted from the upstream asked, under the id it was asked with.
import { randomInt } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import { withId } from './dns-message.ts';
import { formatNameserver, type Nameserver } from './nameservers.ts';
import { frame, FrameReader } from './tcp-frames.ts';

const TC = 1 << 9;
const QR = 1 << 15;

export class Forwarder {
  /** Closes every exchange in flight, so stop() leaves no socket behind. */
  private readonly inFlight = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly upstream: Nameserver[],
    private readonly log: (line: string) => void,
    private readonly timeoutMs = 2000,
  ) {}

  /** The upstream reply under the query's own id, or undefined when no upstream answered. */
  async forward(query: Buffer): Promise<Buffer | undefined> {
    const clientId = query.readUInt16BE(0);
    for (const ns of this.upstream) {
      if (this.closed) return undefined;
      const id = randomInt(65536);
      try {
        let answer = await this.exchange(ns, withId(query, id), id, 'udp');
        if (answer.readUInt16BE(2) & TC) answer = await this.exchange(ns, withId(query, id), id, 'tcp');
        return withId(answer, clientId);
      } catch (e) {
        this.log(`dns: upstream ${formatNameserver(ns)} did not answer: ${(e as Error).message}`);
      }
    }
    return undefined;
  }

  /** Ends every exchange in flight; forward() answers undefined from now on. */
  close(): void {
    this.closed = true;
    for (const abort of [...this.inFlight]) abort();
  }

  private exchange(ns: Nameserver, query: Buffer, id: number, transport: 'udp' | 'tcp'): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      let done = false;
      let close = (): void => {};
      // Only the first outcome counts: an error or a close may follow the answer.
      const finish = (result: Buffer | Error): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.inFlight.delete(abort);
        close();
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      const abort = (): void => finish(new Error('server stopping'));
      const timer = setTimeout(() => finish(new Error(`no ${transport} answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      this.inFlight.add(abort);
      const accept = (reply: Buffer): boolean => reply.length >= 12 && reply.readUInt16BE(0) === id && (reply.readUInt16BE(2) & QR) !== 0;
      close = transport === 'udp' ? this.udp(ns, query, accept, finish) : this.tcp(ns, query, accept, finish);
    });
  }

  private udp(ns: Nameserver, query: Buffer, accept: (b: Buffer) => boolean, finish: (r: Buffer | Error) => void): () => void {
    const socket: UdpSocket = createSocket(isIPv6(ns.host) ? 'udp6' : 'udp4');
    socket.on('error', (e) => finish(e));
    socket.on('message', (reply) => {
      if (accept(reply)) finish(reply);
    });
    // A connected socket only receives from that upstream, and learns of ICMP port unreachable.
    socket.connect(ns.port, ns.host, () => socket.send(query, (e) => e && finish(e)));
    return () => {
      try {
        socket.close();
      } catch {
        // already closed
      }
    };
  }

  private tcp(ns: Nameserver, query: Buffer, accept: (b: Buffer) => boolean, finish: (r: Buffer | Error) => void): () => void {
    const socket = connect({ host: ns.host, port: ns.port });
    const frames = new FrameReader();
    socket.on('connect', () => socket.write(frame(query)));
    socket.on('data', (chunk) => {
      const reply = frames.push(chunk).find(accept);
      if (reply) finish(Buffer.from(reply));
    });
    socket.on('error', (e) => finish(e));
    socket.on('close', () => finish(new Error('tcp connection closed without an answer')));
    return () => socket.destroy();
  }
}
