// Every container's log and stdio on this node, as the kubelet lays them out:
// <stateDir>/logs/<namespace>_<pod>_<uid>/<container>/<restartCount>.log (upstream's
// /var/log/pods), kept while the pod exists, so --previous reads the run before, and removed with
// the pod. Each running container has a ContainerIO (container-io.ts), found by its runtime id.
import { execFile } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1';
import { promisify } from 'node:util';
import { ContainerIO, fifoPaths, type ContainerFifoPaths } from './container-io.ts';
import { CriLogFile } from './cri-log-file.ts';
import { DEFAULT_ROTATION, type RotationPolicy } from './log-rotation.ts';

const run = promisify(execFile);

export interface PodRef {
  namespace: string;
  name: string;
  uid: string;
}

export function podRef(pod: Pod): PodRef {
  return { namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' };
}

export interface ContainerRun {
  pod: PodRef;
  container: string;
  restartCount: number;
  /** The runtime's container id and its bundle, where the FIFOs are. */
  id: string;
  bundle: string;
  stdin?: boolean;
}

export class ContainerLogs {
  private readonly ios = new Map<string, ContainerIO>();
  readonly policy: RotationPolicy;

  constructor(readonly dir: string, policy: Partial<RotationPolicy> = {}) {
    this.policy = { maxSize: policy.maxSize ?? DEFAULT_ROTATION.maxSize, maxFiles: policy.maxFiles ?? DEFAULT_ROTATION.maxFiles };
  }

  podDir(pod: PodRef): string {
    return join(this.dir, `${pod.namespace}_${pod.name}_${pod.uid}`);
  }

  /** The log of one run of a container (the live file; rotated ones sit beside it). */
  logPath(pod: PodRef, container: string, restartCount: number): string {
    return join(this.podDir(pod), container, `${restartCount}.log`);
  }

  /**
   * Before the runtime runs a container: its FIFOs, read from now on. Pass `fifos` to the
   * runtime, and call `started()` once it ran (or failed): until then the agent holds the FIFOs
   * open itself, so that a container quicker than the shim's start loses nothing.
   */
  async prepare(r: ContainerRun): Promise<{ io: ContainerIO; fifos: ContainerFifoPaths; started: () => void }> {
    const fifos = fifoPaths(r.bundle, r.stdin === true);
    const paths = [fifos.stdout, fifos.stderr, ...(fifos.stdin ? [fifos.stdin] : [])];
    rmSync(fifos.stdout, { force: true });
    rmSync(fifos.stderr, { force: true });
    if (fifos.stdin) rmSync(fifos.stdin, { force: true });
    await run('mkfifo', ['-m', '0600', ...paths]);
    const io = this.register(r, fifos);
    return { io, fifos, started: io.start(true) };
  }

  /** After an agent restart: reads the FIFOs of a container that kept running, into its log. */
  reattach(r: ContainerRun): ContainerIO | undefined {
    const fifos = fifoPaths(r.bundle, r.stdin === true);
    try {
      const io = this.register(r, fifos);
      io.start(false);
      return io;
    } catch {
      this.release(r.id);
      return undefined; // no FIFOs: a container from before logs were kept this way
    }
  }

  get(id: string): ContainerIO | undefined {
    return this.ios.get(id);
  }

  /** The container is removed: its IO stops (its log stays until the pod goes). */
  release(id: string): void {
    this.ios.get(id)?.close();
    this.ios.delete(id);
  }

  removePod(uid: string): void {
    let names: string[] = [];
    try {
      names = readdirSync(this.dir);
    } catch { /* no logs yet */ }
    for (const n of names) if (n.endsWith(`_${uid}`)) rmSync(join(this.dir, n), { recursive: true, force: true });
  }

  /** The agent stops: every IO stops reading, and lines' tails are written out. */
  closeAll(): void {
    for (const id of [...this.ios.keys()]) this.release(id);
  }

  private register(r: ContainerRun, fifos: ContainerFifoPaths): ContainerIO {
    this.ios.get(r.id)?.close();
    const io = new ContainerIO(r.id, r.bundle, fifos, new CriLogFile(this.logPath(r.pod, r.container, r.restartCount), this.policy));
    this.ios.set(r.id, io);
    return io;
  }
}
