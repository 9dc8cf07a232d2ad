// The grpc probe (pkg/probe/grpc): grpc.health.v1.Health/Check over cleartext HTTP/2 to the pod
// IP, SERVING succeeds. The request and the answer are one-field protobuf messages, so they are
// written and read here by hand rather than with a gRPC library the agent's bundle would carry.
import { connect, constants, type ClientHttp2Session } from 'node:http2';
import { KUBELET_VERSION } from '../node-status.ts';
import { dial, joinHostPort } from './tcp-socket.ts';

const statusNames = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
/** gRPC's status codes by number, as Go's client names them in errors. */
const codeNames = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];
const UNIMPLEMENTED = 12;

/** A gRPC frame: no compression, length, then HealthCheckRequest { string service = 1; }. */
function checkRequest(service: string): Buffer {
  const name = Buffer.from(service);
  const message = name.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a]), varint(name.length), name]);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

/** HealthCheckResponse { ServingStatus status = 1; }: the enum's value, 0 when absent. */
function servingStatus(frame: Buffer): number {
  const message = frame.subarray(5, 5 + frame.readUInt32BE(1));
  return message[0] === 0x08 ? message[1] & 0x7f : 0;
}

export async function grpcHealthCheck(host: string, port: number, service: string, timeoutMs: number, netnsPath: string | undefined): Promise<{ result: 'Success' | 'Failure'; output: string }> {
  const addr = joinHostPort(host, port);
  const timeout = `${timeoutMs / 1000}s`;
  let session: ClientHttp2Session | undefined;
  try {
    const stream = await dial(host, port, timeoutMs, netnsPath).catch((e: Error) => {
      throw Object.assign(new Error(`error: failed to connect service at "${addr}": ${e.message}`), { probe: true });
    });
    session = connect(`http://${addr}`, { createConnection: () => stream as never });
    const answer = await new Promise<{ status: number; grpcStatus: number; message: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(Object.assign(new Error(`timeout: health rpc did not complete within ${timeout}`), { probe: true })), timeoutMs);
      const req = session!.request({
        [constants.HTTP2_HEADER_METHOD]: 'POST', [constants.HTTP2_HEADER_PATH]: '/grpc.health.v1.Health/Check',
        'content-type': 'application/grpc', te: 'trailers', 'user-agent': `kube-probe/${KUBELET_VERSION.replace(/^v(\d+)\.(\d+).*/, '$1.$2')}`,
      });
      const chunks: Buffer[] = [];
      let trailers: Record<string, unknown> = {};
      req.on('response', (h) => (trailers = { ...h }));
      req.on('trailers', (t) => (trailers = { ...trailers, ...t }));
      req.on('data', (d: Buffer) => chunks.push(d));
      req.once('error', (e) => reject(e));
      req.once('end', () => {
        clearTimeout(timer);
        const body = Buffer.concat(chunks);
        resolve({ status: body.length >= 5 ? servingStatus(body) : 0, grpcStatus: Number(trailers['grpc-status'] ?? 0), message: decodeURIComponent(String(trailers['grpc-message'] ?? '')) });
      });
      req.end(checkRequest(service));
    });
    if (answer.grpcStatus === UNIMPLEMENTED) return { result: 'Failure', output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${answer.message}` };
    if (answer.grpcStatus !== 0) return { result: 'Failure', output: `error: health rpc probe failed: rpc error: code = ${codeNames[answer.grpcStatus] ?? `Code(${answer.grpcStatus})`} desc = ${answer.message}` };
    if (answer.status !== 1) return { result: 'Failure', output: `service unhealthy (responded with "${statusNames[answer.status] ?? answer.status}")` };
    return { result: 'Success', output: 'service is serving' };
  } catch (e) {
    const err = e as Error & { probe?: boolean };
    return { result: 'Failure', output: err.probe ? err.message : `error: health rpc probe failed: ${err.message}` };
  } finally {
    session?.destroy();
  }
}
