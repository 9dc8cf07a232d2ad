// Real `kubelab agent` processes on this machine for tests: each with its own state folder and
// cgroup parent, on 127.0.0.1 with any free port and no pod network (they share one network
// namespace). stopAll() ends them and removes their cgroup folders.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './kubectl.ts';

export const KUBELAB_CLI = join(REPO_ROOT, 'src-main/bin/kubelab.js');

export interface AgentProcess {
  proc: ChildProcess;
  /** Everything it wrote so far, stdout and stderr together. */
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>;
}

export class AgentProcesses {
  private readonly started: AgentProcess[] = [];
  private readonly cgroupParents = new Set<string>();

  /** @param dir where each agent's state folder (dir/<name>) goes */
  constructor(private readonly dir: string) {}

  /** `kubelab agent ...` for node `name`, or the bundle given (run from its folder, as copied to a worker). */
  start(name: string, args: string[], bundle?: string): AgentProcess {
    const cgroupParent = `/kubelab/${name}-${process.pid}`;
    this.cgroupParents.add(cgroupParent);
    const command = bundle ? [bundle] : [KUBELAB_CLI, 'agent'];
    const proc = spawn(process.execPath, [...command, '--node-name', name, '--state-dir', join(this.dir, name), '--node-ip', '127.0.0.1', '--network', 'none', '--port', '0', '--address', '127.0.0.1', '--cgroup-parent', cgroupParent, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: bundle ? dirname(bundle) : undefined,
    });
    let text = '';
    proc.stdout!.on('data', (c: Buffer) => (text += c.toString()));
    proc.stderr!.on('data', (c: Buffer) => (text += c.toString()));
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const agent: AgentProcess = {
      proc, output: () => text, exited,
      stop: async () => {
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
        return exited;
      },
    };
    this.started.push(agent);
    return agent;
  }

  /** A cgroup parent an agent run apart from start() may make, removed by stopAll(). */
  adoptCgroupParent(path: string): void {
    this.cgroupParents.add(path);
  }

  async stopAll(): Promise<void> {
    for (const a of this.started) await a.stop();
    for (const ctrl of existsSync('/sys/fs/cgroup') ? readdirSync('/sys/fs/cgroup') : []) {
      for (const d of [...this.cgroupParents, '/kubelab']) {
        try {
          rmdirSync(join('/sys/fs/cgroup', ctrl, d));
        } catch { /* absent, or in use by another agent */ }
      }
    }
  }
}
