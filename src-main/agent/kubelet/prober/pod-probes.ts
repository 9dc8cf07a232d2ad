// The probes of one pod's containers (pkg/kubelet/prober/prober_manager.go): per container run,
// a startup probe first, holding liveness and readiness until it succeeds; the results go on the
// container's record (started, ready) for the status, and a changed one has the status written
// again. A failed liveness or startup probe asks the pod worker to restart the container.
import type { Container, Probe } from 'kubernetes-types/core/v1';
import type { OciRuntime } from '../../runtime/oci-runtime.ts';
import type { ContainerRecord } from '../pod-status.ts';
import { runProbe } from './probe-spec.ts';
import { ProbeWorker, type ProbeKind } from './probe-worker.ts';

export interface PodProbesHost {
  runtime: OciRuntime;
  /** The node's network namespace, where pod IPs are reached from (undefined: the agent's). */
  netnsPath?: string;
  podIP(): string | undefined;
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** A container's started or ready changed. */
  changed(): void;
  /** The container failed its liveness or startup probe: it is to be killed (and restarted). */
  unhealthy(container: Container, kind: 'liveness' | 'startup', probe: Probe): void;
}

export class PodProbes {
  private readonly workers = new Map<string, ProbeWorker[]>();

  constructor(private readonly host: PodProbesHost) {}

  /** A run of the container began (record.id is it): its probes start. */
  start(container: Container, record: ContainerRecord, startedAtMs: number): void {
    this.stop(container.name);
    const { host } = this;
    const containerID = record.id!;
    const make = (kind: ProbeKind, probe: Probe, settled: (r: 'Success' | 'Failure') => void) => new ProbeWorker(kind, probe, {
      run: () => runProbe(probe, { runtime: host.runtime, containerID, container, podIP: host.podIP() ?? '', netnsPath: host.netnsPath }),
      settled,
      event: host.event,
    });
    const { livenessProbe, readinessProbe, startupProbe } = container;
    const liveness = livenessProbe && make('Liveness', livenessProbe, (r) => r === 'Failure' && host.unhealthy(container, 'liveness', livenessProbe));
    const readiness = readinessProbe && make('Readiness', readinessProbe, (r) => {
      record.ready = r === 'Success';
      host.changed();
    });
    const afterStartup = () => {
      liveness?.start(startedAtMs);
      readiness?.start(startedAtMs);
    };
    // Without a readiness probe a started container is ready; with one, not before it passes.
    record.ready = readiness ? false : undefined;
    record.started = startupProbe ? false : undefined;
    const startup = startupProbe && make('Startup', startupProbe, (r) => {
      if (r === 'Failure') return host.unhealthy(container, 'startup', startupProbe);
      record.started = true;
      host.changed();
      afterStartup();
    });
    this.workers.set(container.name, [liveness, readiness, startup].filter((w): w is ProbeWorker => w !== undefined));
    if (startup) startup.start(startedAtMs);
    else afterStartup();
  }

  /** The container's run ended (or is being stopped): no more probes of it. */
  stop(name: string): void {
    for (const w of this.workers.get(name) ?? []) w.stop();
    this.workers.delete(name);
  }

  stopAll(): void {
    for (const name of [...this.workers.keys()]) this.stop(name);
  }
}
