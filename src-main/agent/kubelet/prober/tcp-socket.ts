// The tcpSocket action (pkg/probe/tcp): a connection to host:port that opens within the timeout
// succeeds and is closed at once. Failures read as Go's dialer words them, since upstream puts
// that text in the "probe failed" events users search for.
import { dialTCP } from '../../network/netns-dial.ts';
import type { Duplex } from 'node:stream';

/** Go's syscall texts for the errno codes a dial reports. */
const goErrno: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  ECONNRESET: 'connect: connection reset by peer',
  ETIMEDOUT: 'i/o timeout',
};

export const joinHostPort = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** A dial, failing with Go's message: "dial tcp 10.42.0.7:8080: connect: connection refused". */
export async function dial(host: string, port: number, timeoutMs: number, netnsPath: string | undefined): Promise<Duplex> {
  try {
    return await dialTCP(host, port, { netnsPath, timeoutMs });
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    throw Object.assign(new Error(`dial tcp ${joinHostPort(host, port)}: ${goErrno[code] ?? (code || (e as Error).message)}`), { code });
  }
}

export async function tcpProbe(host: string, port: number, timeoutMs: number, netnsPath: string | undefined): Promise<{ ok: boolean; output: string }> {
  try {
    (await dial(host, port, timeoutMs, netnsPath)).destroy();
    return { ok: true, output: '' };
  } catch (e) {
    return { ok: false, output: (e as Error).message };
  }
}
