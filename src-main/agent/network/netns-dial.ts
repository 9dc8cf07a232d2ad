// A TCP connection made from inside a network namespace: port-forward connects to localhost in
// the pod's namespace (as containerd does), and probes connect to the pod's IP from the node's
// namespace, which in the tests' shared-machine mode (--cni-netns) is not the agent's own.
// Inside a namespace it goes through the namespace's relay (netns-relay.ts); without one this is
// a plain net.connect.
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { dialViaRelay } from './netns-relay.ts';

export interface DialOptions {
  /** A path like /run/netns/NAME; undefined dials from the agent's own namespace. */
  netnsPath?: string;
  timeoutMs?: number;
}

/** Resolves once connected; rejects with the connection's error code (ECONNREFUSED, …). */
export function dialTCP(host: string, port: number, opts: DialOptions = {}): Promise<Duplex> {
  return opts.netnsPath ? dialViaRelay(opts.netnsPath, host, port, opts.timeoutMs ?? 10_000) : dialHere(host, port, opts.timeoutMs ?? 10_000);
}

function dialHere(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.setTimeout(0);
      resolve(socket);
    });
    socket.once('timeout', () => socket.destroy(Object.assign(new Error(`dial tcp ${host}:${port}: i/o timeout`), { code: 'ETIMEDOUT' })));
    socket.once('error', reject);
  });
}
