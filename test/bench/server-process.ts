// `kubelab serve` as a child process of its own, so that its memory and CPU can be read from
// /proc without the load generator's share in them. Times the start (spawn to the ready line)
// and the stop, and reads the admin token and CA straight from the data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Endpoint } from './http.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(REPO_ROOT, 'src-main/bin/kubelab.js');
// Extra node flags for the server, e.g. KUBELAB_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/p"
// to profile it (NODE_OPTIONS refuses --cpu-prof).
const NODE_ARGS = (process.env.KUBELAB_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

/** `serve` flags for measuring the API server on its own. */
export const API_ONLY = ['--no-controllers'];

export interface Started extends Endpoint {
  proc: ServerProcess;
  /** ms from spawn to the ready line. */
  readyMs: number;
}

export class ServerProcess {
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private constructor(readonly child: ChildProcess, readonly spawnedAt: number) {
    this.exited = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
    child.stdout!.on('data', (c: Buffer) => (this.output += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (this.output += c.toString('utf8')));
  }

  /** Spawns `kubelab serve` on the data folder; resolves once it has printed its ready line. */
  static async start(dataDir: string, readyTimeoutMs = 60_000, flags: string[] = []): Promise<Started> {
    const spawnedAt = performance.now();
    const child = spawn(process.execPath, [...NODE_ARGS, CLI, 'serve', '--data-dir', dataDir, '--port', '0', '--address', '127.0.0.1', ...flags], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    const proc = new ServerProcess(child, spawnedAt);
    const url = await proc.readyUrl(readyTimeoutMs);
    const readyMs = performance.now() - spawnedAt;
    return {
      proc,
      readyMs,
      url,
      token: readFileSync(join(dataDir, 'admin.token'), 'utf8').trim(),
      ca: readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8'),
    };
  }

  /** Spawns a server expected to refuse to start; resolves with its exit and everything it printed. */
  static async runToExit(dataDir: string, timeoutMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
    const child = spawn(process.execPath, [...NODE_ARGS, CLI, 'serve', '--data-dir', dataDir, '--port', '0', '--address', '127.0.0.1'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    const proc = new ServerProcess(child, performance.now());
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const exit = await proc.exited;
    clearTimeout(timer);
    return { ...exit, output: proc.output };
  }

  private readyUrl(timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`kubelab serve printed no ready line within ${timeoutMs} ms:\n${this.output}`));
      }, timeoutMs);
      const check = (): void => {
        const m = /ready at (https:\/\/\S+)/i.exec(this.output);
        if (!m) return;
        clearTimeout(timer);
        this.child.stdout!.off('data', check);
        resolve(m[1].replace(/\/+$/, ''));
      };
      this.child.stdout!.on('data', check);
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`kubelab serve exited (${code ?? signal}) before it was ready:\n${this.output}`));
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resident set size (VmRSS) of the server process, MiB. */
  rssMiB(pid = this.pid): number {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  }

  /** CPU time used so far (user + system) by the server process, ms. */
  cpuMs(pid = this.pid): number {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, in clock ticks (USER_HZ = 100)
    return (Number(fields[11]) + Number(fields[12])) * 10;
  }

  /** The server's child processes (the controller manager), by pid. */
  childPids(): number[] {
    try {
      return readFileSync(`/proc/${this.pid}/task/${this.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  /** RSS of the server and its children together, MiB: the whole control plane. */
  treeRssMiB(): number {
    return [this.pid, ...this.childPids()].reduce((sum, pid) => sum + (this.rssMiB(pid) || 0), 0);
  }

  /** CPU time of the server and its children together, ms. */
  treeCpuMs(): number {
    return [this.pid, ...this.childPids()].reduce((sum, pid) => sum + (this.cpuMs(pid) || 0), 0);
  }

  /**
   * The server's main (JavaScript) thread: ns spent running and ns spent runnable but waiting
   * for a core. The wait shows how much other work on the machine slowed the server down.
   */
  schedstat(): { runNs: number; waitNs: number } {
    const [run, wait] = readFileSync(`/proc/${this.pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    return { runNs: run, waitNs: wait };
  }

  /** SIGTERM and wait; SIGKILL after `graceMs`. Returns ms until the process was gone. */
  async stop(graceMs = 15_000): Promise<number> {
    if (!this.running) return 0;
    const t0 = performance.now();
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(killer);
    return performance.now() - t0;
  }

  /** SIGKILL (a crash: no clean-up runs in the server) and wait until it is gone. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }
}
