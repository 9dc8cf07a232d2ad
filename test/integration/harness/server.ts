// Starts a real `kubelab serve` as a child process on a temporary data folder and a free port,
// the way a user would, and tears it down afterwards. Tests talk to it only over HTTPS, through
// kubectl or a client built from the generated admin kubeconfig.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KubeClient } from '../../../src-main/client/kube-client.ts';
import { REPO_ROOT } from './kubectl.ts';

const CLI = join(REPO_ROOT, 'src-main/bin/kubelab.js');
const execFileAsync = promisify(execFile);

export interface StartOptions {
  /** Re-use a data folder (restart tests); default: a fresh temporary one, removed on stop. */
  dataDir?: string;
  readyTimeoutMs?: number;
  /** More `kubelab serve` flags, e.g. ['--simulate-nodes', '3']. */
  args?: string[];
}

export class KubelabServer {
  /** e.g. https://127.0.0.1:40123 */
  url = '';
  kubeconfigPath = '';
  kubeconfigText = '';
  client!: KubeClient;
  private child?: ChildProcess;
  private output = '';
  private exited?: Promise<void>;
  private stopped = false;

  private constructor(readonly dataDir: string, readonly tempDir: string) {}

  static async start(opts: StartOptions = {}): Promise<KubelabServer> {
    const tempDir = mkdtempSync(join(tmpdir(), 'kubelab-it-'));
    const server = new KubelabServer(opts.dataDir ?? join(tempDir, 'data'), tempDir);
    try {
      await server.launch(opts.readyTimeoutMs ?? 60_000, opts.args ?? []);
      const { stdout } = await execFileAsync(process.execPath, [CLI, 'kubeconfig', '--data-dir', server.dataDir], {
        cwd: REPO_ROOT, timeout: 30_000,
      });
      server.kubeconfigText = stdout;
      server.kubeconfigPath = join(tempDir, 'kubeconfig.yaml');
      writeFileSync(server.kubeconfigPath, stdout, { mode: 0o600 });
      server.client = KubeClient.fromKubeconfig(stdout);
    } catch (err) {
      const log = server.log();
      await server.stop();
      throw new Error(`${(err as Error).message}\n--- kubelab serve output ---\n${log}`);
    }
    return server;
  }

  private launch(timeoutMs: number, args: string[]): Promise<void> {
    const child = spawn(process.execPath, [CLI, 'serve', '--data-dir', this.dataDir, '--port', '0', '--address', '127.0.0.1', ...args], {
      cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' },
    });
    this.child = child;
    this.exited = new Promise((r) => child.on('close', () => r()));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kubelab serve printed no ready line within ${timeoutMs} ms`)), timeoutMs);
      const onData = (c: Buffer): void => {
        this.output += c.toString('utf8');
        if (this.url) return;
        for (const line of this.output.split('\n')) {
          const m = /ready/i.test(line) ? /https:\/\/[^\s"'<>]+/.exec(line) : null;
          if (m) {
            this.url = m[0].replace(/\/+$/, '');
            clearTimeout(timer);
            resolve();
            return;
          }
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (c: Buffer) => { this.output += c.toString('utf8'); });
      child.on('error', (e) => { clearTimeout(timer); reject(e); });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (!this.url) reject(new Error(`kubelab serve exited (${code ?? signal}) before it was ready`));
      });
    });
  }

  /** Everything the server printed so far (for failure messages). */
  log(): string {
    return this.output;
  }

  /** The server's process id (undefined before launch). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** True while the server process runs. */
  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Writes a variant of the admin kubeconfig (e.g. without the token) and returns its path. */
  writeKubeconfig(name: string, text: string): string {
    const path = join(this.tempDir, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  }

  /**
   * SIGTERM, then SIGKILL after `graceMs`; removes the temporary folder. Throws (after cleaning
   * up) with the server's output if it had died by itself, so a crash never goes unnoticed.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.client?.close();
    const child = this.child;
    const diedEarly = !!child && !!this.url && !this.running;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(killer);
    }
    // a caller-supplied data folder lives outside tempDir and is left for the caller
    rmSync(this.tempDir, { recursive: true, force: true });
    if (diedEarly) {
      throw new Error(`kubelab serve died during the test (exit ${child!.exitCode ?? child!.signalCode})\n${this.output.slice(-4000)}`);
    }
  }
}
