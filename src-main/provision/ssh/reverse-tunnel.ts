// `ssh -R`: the node listens on remoteAddress:remotePort and each connection made there comes
// back over the SSH connection to a local address (the control plane's API), for nodes that
// cannot reach the laptop (behind NAT, or the laptop behind a firewall).
import { connect, type Socket } from 'node:net';
import type { Client, ClientChannel, TcpConnectionDetails } from 'ssh2';
import { SshError } from './errors.ts';

export interface ReverseTunnel {
  readonly remoteAddress: string;
  /** The port bound on the node (the one picked, when 0 was asked for). */
  readonly remotePort: number;
  close(): Promise<void>;
}

interface Forward {
  to: { host: string; port: number };
  open: Set<Socket>;
}

/** The session's tunnels: one 'tcp connection' listener on the client dispatches by bound port. */
export class ReverseTunnels {
  private readonly forwards = new Map<number, Forward>();

  constructor(private readonly client: Client, private readonly label: string) {
    client.on('tcp connection', (details, accept, reject) => this.onConnection(details, accept, reject));
  }

  open(remoteAddress: string, remotePort: number, to: { host: string; port: number }): Promise<ReverseTunnel> {
    return new Promise((resolve, reject) => {
      this.client.forwardIn(remoteAddress, remotePort, (err, port) => {
        if (err) return reject(new SshError(`${this.label}: cannot listen on ${remoteAddress}:${remotePort} for a reverse tunnel (${err.message}; is AllowTcpForwarding on?)`));
        const bound = remotePort || port;
        const forward: Forward = { to, open: new Set() };
        this.forwards.set(bound, forward);
        resolve({ remoteAddress, remotePort: bound, close: () => this.close(remoteAddress, bound) });
      });
    });
  }

  async closeAll(): Promise<void> {
    for (const f of this.forwards.values()) for (const s of f.open) s.destroy();
    this.forwards.clear();
  }

  private close(remoteAddress: string, port: number): Promise<void> {
    const forward = this.forwards.get(port);
    if (!forward) return Promise.resolve();
    this.forwards.delete(port);
    for (const s of forward.open) s.destroy();
    return new Promise((resolve) => this.client.unforwardIn(remoteAddress, port, () => resolve()));
  }

  private onConnection(details: TcpConnectionDetails, accept: () => ClientChannel, reject: () => void): void {
    const forward = this.forwards.get(details.destPort);
    if (!forward) return reject();
    const channel = accept();
    const socket = connect(forward.to.port, forward.to.host);
    forward.open.add(socket);
    // Either side ending or failing ends the other: a half-dead tunnel would hang the agent.
    socket.on('error', () => channel.close());
    socket.on('close', () => {
      forward.open.delete(socket);
      channel.close();
    });
    channel.on('error', () => socket.destroy());
    channel.on('close', () => socket.destroy());
    channel.pipe(socket).pipe(channel);
  }
}
