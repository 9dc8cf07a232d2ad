// A probe as the kubelet reads it: upstream's defaults (the API server sets them too, but a pod
// from an older server or a test may not carry them), ports by number or by the container's port
// name, and one run of its action with the outcome upstream reports (pkg/kubelet/prober).
import type { Container, Probe } from 'kubernetes-types/core/v1';
import type { OciRuntime } from '../../runtime/oci-runtime.ts';
import { execInContainer, ExecTimeoutError } from './exec-in-container.ts';
import { grpcHealthCheck } from './grpc-health.ts';
import { httpGet } from './http-get.ts';
import { tcpProbe } from './tcp-socket.ts';

export interface ProbeTiming {
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

export function probeTiming(p: Probe): ProbeTiming {
  return {
    initialDelaySeconds: p.initialDelaySeconds ?? 0,
    periodSeconds: p.periodSeconds || 10,
    timeoutSeconds: p.timeoutSeconds || 1,
    successThreshold: p.successThreshold || 1,
    failureThreshold: p.failureThreshold || 3,
  };
}

/** ResolveContainerPort: a number, a named container port, or a number written as a string. */
export function resolvePort(port: number | string, container: Container): number {
  let n: number;
  if (typeof port === 'number') n = port;
  else {
    const named = container.ports?.find((p) => p.name === port);
    if (named) n = named.containerPort;
    else if (/^[+-]?\d+$/.test(port)) n = Number(port);
    else throw new Error(`strconv.Atoi: parsing ${JSON.stringify(port)}: invalid syntax`);
  }
  if (n > 0 && n < 65536) return n;
  throw new Error(`invalid port number: ${n}`);
}

/** Success, Failure, or Warning (a success upstream reports with a ProbeWarning event). */
export type ProbeResult = 'Success' | 'Failure' | 'Warning';

export interface ProbeTarget {
  runtime: OciRuntime;
  containerID: string;
  container: Container;
  podIP: string;
  netnsPath?: string;
}

/** One run of the probe's action; throws when the probe could not run (upstream's "probe errored"). */
export async function runProbe(probe: Probe, t: ProbeTarget): Promise<{ result: ProbeResult; output: string }> {
  const timeoutMs = probeTiming(probe).timeoutSeconds * 1000;
  if (probe.exec) {
    try {
      const { exitCode, output } = await execInContainer(t.runtime, t.containerID, probe.exec.command ?? [], timeoutMs);
      return { result: exitCode === 0 ? 'Success' : 'Failure', output };
    } catch (e) {
      if (e instanceof ExecTimeoutError) return { result: 'Failure', output: e.message };
      throw e;
    }
  }
  if (probe.httpGet) {
    let res;
    try {
      res = await httpGet(probe.httpGet, t.container, { podIP: t.podIP, netnsPath: t.netnsPath, timeoutMs, purpose: 'probe' });
    } catch (e) {
      if ((e as Error).message.startsWith('Get "')) return { result: 'Failure', output: (e as Error).message };
      throw e;
    }
    if (res.redirectStopped) return { result: 'Warning', output: `Probe terminated redirects, Response body: ${res.body}` };
    if (res.status >= 200 && res.status < 400) return { result: 'Success', output: res.body };
    // Upstream leaves the body out of the message on purpose (kubernetes#99425).
    return { result: 'Failure', output: `HTTP probe failed with statuscode: ${res.status}` };
  }
  if (probe.tcpSocket) {
    const { ok, output } = await tcpProbe(probe.tcpSocket.host || t.podIP, resolvePort(probe.tcpSocket.port, t.container), timeoutMs, t.netnsPath);
    return { result: ok ? 'Success' : 'Failure', output };
  }
  if (probe.grpc) return grpcHealthCheck(t.podIP, probe.grpc.port, probe.grpc.service ?? '', timeoutMs, t.netnsPath);
  throw new Error('missing probe handler');
}
