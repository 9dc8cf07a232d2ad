// Container lifecycle hooks (pkg/kubelet/lifecycle/handlers.go): postStart right after the
// container started — a failure has the container killed — and preStop before its SIGTERM,
// within the grace period, which what the hook took is then taken from (at least 2 s are left
// for SIGTERM, as upstream's minimumGracePeriodInSeconds). Handlers: exec in the container,
// httpGet (to the pod IP by default; the status code does not matter, only that it answered),
// and sleep. Messages and event reasons are upstream's.
import type { Container, LifecycleHandler, Pod } from 'kubernetes-types/core/v1';
import type { OciRuntime } from '../../runtime/oci-runtime.ts';
import { execInContainer } from './exec-in-container.ts';
import { httpGet, isHTTPResponseError } from './http-get.ts';
import { resolvePort } from './probe-spec.ts';
import { joinHostPort } from './tcp-socket.ts';

export interface HookHost {
  runtime: OciRuntime;
  netnsPath?: string;
  podIP(): string | undefined;
  event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

const MIN_GRACE_AFTER_HOOK_MS = 2_000;

const formatPod = (pod: Pod) => `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;

/** Runs one handler; rejects with the message upstream records (handlerRunner.Run). */
export async function runHandler(host: HookHost, pod: Pod, container: Container, containerID: string, handler: LifecycleHandler, signal?: AbortSignal): Promise<void> {
  const where = `for Container ${JSON.stringify(container.name)} in Pod ${JSON.stringify(formatPod(pod))}`;
  if (handler.exec) {
    const command = handler.exec.command ?? [];
    let result;
    try {
      result = await execInContainer(host.runtime, containerID, command, undefined, signal);
    } catch (e) {
      throw new Error(`Exec lifecycle hook ([${command.join(' ')}]) ${where} failed - error: ${(e as Error).message}, message: ""`);
    }
    if (result.exitCode !== 0) {
      throw new Error(`Exec lifecycle hook ([${command.join(' ')}]) ${where} failed - error: command '${command.join(' ')}' exited with ${result.exitCode}: ${result.stderr}, message: ${JSON.stringify(result.output)}`);
    }
    return;
  }
  if (handler.httpGet) {
    const action = handler.httpGet;
    const opts = { podIP: host.podIP() ?? '', netnsPath: host.netnsPath, purpose: 'lifecycle' as const, signal };
    try {
      await httpGet(action, container, opts).catch(async (e: unknown) => {
        if (!isHTTPResponseError(e)) throw e;
        // An HTTPS hook that an HTTP server answered is sent again over HTTP, without credentials,
        // as upstream does since it made hooks' HTTPS real (with an event that says so).
        const headers = (action.httpHeaders ?? []).filter((h) => h.name.toLowerCase() !== 'authorization');
        await httpGet({ ...action, scheme: 'HTTP', httpHeaders: headers }, container, opts).catch(() => Promise.reject(e));
        host.event(pod, 'Warning', 'LifecycleHTTPFallback', `request to HTTPS lifecycle hook ${joinHostPort(action.host || opts.podIP, resolvePort(action.port, container))} got HTTP response, retry with HTTP succeeded`);
      });
    } catch (e) {
      throw new Error(`HTTP lifecycle hook (${action.path ?? ''}) ${where} failed - error: ${(e as Error).message}`);
    }
    return;
  }
  if (handler.sleep) {
    const seconds = handler.sleep.seconds;
    const slept = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(true), seconds * 1000);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve(false);
      }, { once: true });
    });
    if (!slept) throw new Error(`Sleep lifecycle hook (${seconds}) ${where} failed - error: container terminated before sleep hook finished`);
    return;
  }
  throw new Error(`Cannot run handler: invalid handler: ${JSON.stringify(handler)}`);
}

export class ContainerHooks {
  /** Containers whose preStop ran: a second stop (deletion after a liveness kill) does not repeat it. */
  private readonly preStopped = new Set<string>();
  /**
   * Ends running postStart hooks. Upstream's hooks have no timeout, and one that never returns
   * would hold the pod's sync, and with it the pod's deletion: the kubelet ends them on deletion.
   */
  private postStarts = new AbortController();

  constructor(private readonly host: HookHost) {}

  /** Runs postStart, if any; on failure records FailedPostStartHook and returns the message. */
  async postStart(pod: Pod, container: Container, containerID: string): Promise<string | undefined> {
    const handler = container.lifecycle?.postStart;
    if (!handler) return undefined;
    try {
      await runHandler(this.host, pod, container, containerID, handler, this.postStarts.signal);
      return undefined;
    } catch (e) {
      this.host.event(pod, 'Warning', 'FailedPostStartHook', (e as Error).message);
      return (e as Error).message;
    }
  }

  /** Runs preStop, if any, within graceMs; returns the grace left for SIGTERM. */
  async preStop(pod: Pod, container: Container, containerID: string, graceMs: number): Promise<number> {
    const handler = container.lifecycle?.preStop;
    if (!handler || graceMs <= 0 || this.preStopped.has(containerID)) return graceMs;
    this.preStopped.add(containerID);
    const began = Date.now();
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)));
    const ran = runHandler(this.host, pod, container, containerID, handler, abort.signal).then(
      () => 'done' as const,
      // Not the message: it may hold secrets from the spec (upstream's reason for this too).
      () => void (abort.signal.aborted || this.host.event(pod, 'Warning', 'FailedPreStopHook', 'PreStopHook failed')),
    );
    // A hook still running at the deadline is abandoned (and its exec killed): SIGTERM is due.
    if ((await Promise.race([ran, timedOut])) === 'timeout') abort.abort();
    clearTimeout(timer);
    return Math.max(graceMs - (Date.now() - began), MIN_GRACE_AFTER_HOOK_MS);
  }

  /** The pod is being deleted: running postStart hooks fail now. */
  abortPostStarts(): void {
    this.postStarts.abort();
    this.postStarts = new AbortController();
  }

  /** The container is gone: forget it. */
  forget(containerID: string): void {
    this.preStopped.delete(containerID);
  }
}
