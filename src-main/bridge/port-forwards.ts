// The app's port-forwards: start, list and stop forwards from a local port to a pod's port, as
// `kubectl port-forward` does, kept by the main process so they outlive the view that started
// them. Each local connection is one WebSocket to the pod's portforward subresource (channel 0
// carries the data, channel 1 the error; each opens with the port as two little-endian bytes).
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { KubeClient } from '../client/kube-client.ts';

export interface PortForwardSpec {
  namespace: string;
  pod: string;
  port: number;
  /** 0 (the default): any free port. */
  localPort?: number;
  /** Default 127.0.0.1: nobody else on the network reaches the pod through this computer. */
  address?: string;
}

export interface PortForward extends Required<PortForwardSpec> {
  id: number;
  /** Connections open now, and the last error the pod's side sent. */
  connections: number;
  lastError?: string;
}

const DATA = 0;
const ERROR = 1;

export class PortForwards {
  private nextId = 1;
  private readonly forwards = new Map<number, { info: PortForward; server: Server; sockets: Set<Socket> }>();

  constructor(private readonly client: KubeClient) {}

  async start(spec: PortForwardSpec): Promise<PortForward> {
    const sockets = new Set<Socket>();
    const info: PortForward = { id: this.nextId++, namespace: spec.namespace, pod: spec.pod, port: spec.port, localPort: spec.localPort ?? 0, address: spec.address ?? '127.0.0.1', connections: 0 };
    const server = createServer((socket) => this.carry(info, socket, sockets));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(info.localPort, info.address, () => resolve());
    });
    info.localPort = (server.address() as AddressInfo).port;
    this.forwards.set(info.id, { info, server, sockets });
    return { ...info };
  }

  list(): PortForward[] {
    return [...this.forwards.values()].map((f) => ({ ...f.info }));
  }

  async stop(id: number): Promise<boolean> {
    const f = this.forwards.get(id);
    if (!f) return false;
    this.forwards.delete(id);
    for (const s of f.sockets) s.destroy();
    await new Promise<void>((resolve) => f.server.close(() => resolve()));
    return true;
  }

  async stopAll(): Promise<void> {
    for (const id of [...this.forwards.keys()]) await this.stop(id);
  }

  private carry(info: PortForward, socket: Socket, sockets: Set<Socket>): void {
    sockets.add(socket);
    info.connections++;
    const ws = this.client.portForwardSocket(info.namespace, info.pod, info.port);
    // Each channel's first two bytes name the port; they are not the stream's data.
    const seen = new Set<number>();
    const pending: Buffer[] = [];
    const close = () => {
      if (!sockets.delete(socket)) return;
      info.connections--;
      socket.destroy();
      ws.terminate();
    };
    ws.on('open', () => {
      for (const chunk of pending.splice(0)) ws.send(Buffer.concat([Buffer.from([DATA]), chunk]));
    });
    ws.on('message', (data: Buffer) => {
      const channel = data[0];
      let body = data.subarray(1);
      if (channel !== undefined && !seen.has(channel)) {
        seen.add(channel);
        body = body.subarray(2);
      }
      if (channel === DATA && body.length > 0) socket.write(body);
      else if (channel === ERROR && body.length > 0) {
        info.lastError = body.toString('utf8');
        close();
      }
    });
    ws.on('close', () => socket.end());
    ws.on('error', (e) => {
      info.lastError = e.message;
      close();
    });
    socket.on('data', (chunk: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([DATA]), chunk]));
      else pending.push(chunk);
    });
    // A half-close is not the end: the pod's answer may still be on its way.
    socket.on('end', () => setTimeout(close, 1000).unref());
    socket.on('error', close);
    socket.on('close', close);
  }
}
