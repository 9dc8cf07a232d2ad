// A thin wrapper of the OCI runtime CLI (runc, or crun which takes the same commands). Each agent
// and test passes its own --root so their containers never meet. Errors carry the runtime's own
// message: from its stderr, or for create/run (whose stderr is the container's) from --log.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open, readFile, readlink, rm } from 'node:fs/promises';
import path from 'node:path';
import type { RuntimeName } from './runtime-version.ts';
import { shellQuote } from '../../util/shell.ts';

export type ContainerStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

export interface ContainerState {
  id: string;
  status: ContainerStatus;
  /** The init process as the host sees it; 0 once stopped. */
  pid: number;
  bundle: string;
  /** When the container was created (RFC 3339). */
  created?: string;
  annotations?: Record<string, string>;
}

export interface RuntimeOptions {
  name?: RuntimeName;
  /** The binary; defaults to the runtime's name on PATH. */
  binary?: string;
  /** The runtime's state directory (--root). */
  root: string;
}

/** Where the container's stdout and stderr go: file paths (appended) or open descriptors. */
export interface ContainerStdio {
  stdout: string | number;
  stderr: string | number;
}

export interface ExecOptions {
  tty?: boolean;
  extraArgs?: string[];
  /** The runtime's own errors go to this file (JSON lines) instead of the process's stderr. */
  logFile?: string;
}

/** FIFOs the run shim opens as the container's stdio (stdin only for `stdin: true`). */
export interface RunFifos {
  stdout: string;
  stderr: string;
  stdin?: string;
  /** Where the shim writes the stdin keeper's pid. */
  stdinKeeper?: string;
  /** The container has a terminal (its spec's process.terminal; needs stdin). */
  tty?: boolean;
}


export class RuntimeError extends Error {
  constructor(readonly command: string, message: string) {
    super(`${command}: ${message}`);
  }
}

export class OciRuntime {
  readonly name: RuntimeName;
  private readonly binary: string;
  private keep?: Promise<string[]>;

  constructor(private readonly opts: RuntimeOptions) {
    this.name = opts.name ?? 'runc';
    this.binary = opts.binary ?? this.name;
  }

  /** `create`: the container exists with its init waiting for `start`. */
  async create(id: string, bundle: string, stdio: ContainerStdio): Promise<void> {
    await this.detached('create', id, bundle, ['create', '--bundle', bundle, '--pid-file', pidFile(bundle), id], stdio);
  }

  async start(id: string): Promise<void> {
    await this.exec(['start', id]);
  }

  /**
   * `run --keep` under a small sh shim that writes the exit status to the bundle's exit-status
   * file. A detached `create` leaves the init an orphan whose status only PID 1 sees; `run` keeps
   * the runtime as its parent (a subreaper), and the shim outlives an agent restart. `--keep`
   * leaves the stopped container (and its cgroup, for OOM counters) until delete, where the
   * runtime has it. Resolves once
   * the init runs, with a promise of the exit status when the shim ends.
   *
   * With `fifos` (the kubelet's, see logs/container-io.ts) the shim opens the container's stdout
   * and stderr FIFOs read-write — a writer never meets a FIFO without a reader, whoever reads it
   * — and for stdin starts a keeper (a sleep holding the FIFO open for writing, its pid in
   * `stdinKeeper`) so the container reads no EOF between the agent's writers; killing the keeper
   * lets stdin end.
   */
  async run(id: string, bundle: string, stdio: ContainerStdio | { fifos: RunFifos }): Promise<{ exited: Promise<number> }> {
    const args = this.globalArgs(bundle).concat(['run', ...(await this.keepArg()), '--bundle', bundle, '--pid-file', pidFile(bundle), id]);
    // Paths are arguments, not part of the script: no quoting needed.
    const script = [
      'f=$1; o=$2; e=$3; i=$4; k=$5; shift 5',
      'if [ -n "$o" ]; then exec 1<>"$o" 2<>"$e"; fi',
      'if [ -n "$i" ]; then sleep 2147483647 3<>"$i" </dev/null >/dev/null 2>&1 & kp=$!; echo $kp > "$k"; "$@" <"$i"; else "$@"; fi',
      's=$?; [ -n "$kp" ] && kill $kp 2>/dev/null',
      'echo $s > "$f.tmp" && mv "$f.tmp" "$f"',
    ].join('\n');
    const fifos = 'fifos' in stdio ? stdio.fifos : undefined;
    const shimArgs = [exitFile(bundle), fifos?.stdout ?? '', fifos?.stderr ?? '', fifos?.stdin ?? '', fifos?.stdinKeeper ?? ''];
    // A container with a terminal (process.terminal) has runc make its pty; runc in the foreground
    // then wants a terminal on its own stdin, which script(1) gives it (echo off: the container's
    // terminal echoes). Output and errors come out merged on script's stdout, as a tty's do.
    const command = fifos?.tty ? ['env', 'SHELL=/bin/sh', 'script', '-q', '-E', 'never', '-e', '-c', `exec ${[this.binary, ...args].map(shellQuote).join(' ')}`, '/dev/null'] : [this.binary, ...args];
    await Promise.all([exitFile(bundle), pidFile(bundle), logFile(bundle)].map((f) => rm(f, { force: true })));
    let ended = false;
    const shim = await this.spawnWithStdio('sh', ['-c', script, 'shim', ...shimArgs, ...command], fifos ? { stdout: 'ignore', stderr: 'ignore' } : (stdio as ContainerStdio));
    const exited = shim.exited.then(() => {
      ended = true;
    });
    // The pid file appears when the init runs; the shim ending first means the runtime failed.
    if (!(await waitForFile(pidFile(bundle), () => ended))) {
      throw new RuntimeError(`${this.name} run ${id}`, await this.logError(bundle));
    }
    return { exited: exited.then(async () => (await exitStatus(bundle)) ?? -1) };
  }

  /**
   * Sets the size of a running container's terminal: the size of runc's own terminal (the shim's
   * script pty, runc's stdin), which runc copies to the container's on the SIGWINCH that follows.
   */
  async resizeTerminal(bundle: string, size: { width: number; height: number }): Promise<void> {
    const init = Number((await readFile(pidFile(bundle), 'utf8')).trim());
    // runc run stays the init's parent: field 4 of /proc/PID/stat, after the parenthesised name.
    const stat = await readFile(`/proc/${init}/stat`, 'utf8');
    const runc = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const tty = await readlink(`/proc/${runc}/fd/0`);
    if (!tty.startsWith('/dev/pts/')) throw new Error(`container has no terminal (${tty})`);
    await new Promise<void>((resolve, reject) => {
      execFile('stty', ['-F', tty, 'rows', String(size.height), 'cols', String(size.width)], (e) => (e ? reject(e) : resolve()));
    });
  }

  /**
   * The exit status of a container another process ran (an agent before its restart): its shim
   * still writes the status to the bundle. A container that stopped without a status (its shim
   * was killed too) ends with -1.
   */
  async waitExit(id: string, bundle: string, pollMs = 500): Promise<number> {
    let stoppedSeen = false;
    for (;;) {
      const code = await exitStatus(bundle);
      if (code !== undefined) return code;
      const status = await this.state(id).then((s) => s.status, () => 'gone' as const);
      if (status === 'stopped' || status === 'gone') {
        if (stoppedSeen) return -1;
        stoppedSeen = true; // give the shim one more poll to write the status
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  /**
   * `exec`: a new process in the running container. runc takes the process from the container's
   * config.json (env, user, cwd, capabilities) and replaces only its args. The caller owns the
   * child's stdio (pipes) and its exit code is the command's.
   */
  spawnExec(id: string, command: string[], opts: ExecOptions = {}): ChildProcess {
    const [file, args] = this.execArgv(id, command, opts);
    return spawn(file, args, { stdio: 'pipe' });
  }

  /** The command line of spawnExec, for callers that run it under a wrapper (a tty's script(1)). */
  execArgv(id: string, command: string[], opts: ExecOptions = {}): [string, string[]] {
    const log = opts.logFile ? ['--log', opts.logFile] : [];
    return [this.binary, [...this.globalArgs(), ...log, 'exec', ...(opts.tty ? ['--tty'] : []), ...(opts.extraArgs ?? []), id, ...command]];
  }

  async state(id: string): Promise<ContainerState> {
    return JSON.parse(await this.exec(['state', id])) as ContainerState;
  }

  async list(): Promise<ContainerState[]> {
    const out = await this.exec(['list', '--format', 'json']);
    // runc prints "null" for no containers.
    return (JSON.parse(out) as ContainerState[] | null) ?? [];
  }

  /** Sends a signal ("TERM", "KILL", "SIGTERM", 15) to the init; `all` to every process. */
  async kill(id: string, signal: string | number = 'TERM', all = false): Promise<void> {
    await this.exec(['kill', ...(all ? ['--all'] : []), id, String(signal)]);
  }

  async delete(id: string, force = false): Promise<void> {
    await this.exec(['delete', ...(force ? ['--force'] : []), id]);
  }

  /**
   * `--keep` where `run` has it (runc; crun from 1.9). crun 1.8 deletes a container when its init
   * ends: the exit status still comes from the shim, and the later delete finds nothing to do.
   */
  private keepArg(): Promise<string[]> {
    this.keep ??= new Promise((resolve) => {
      execFile(this.binary, ['run', '--help'], { timeout: 10_000 }, (_err, stdout) => resolve(/--keep\b/.test(String(stdout)) ? ['--keep'] : []));
    });
    return this.keep;
  }

  private globalArgs(bundle?: string): string[] {
    // JSON logs on stderr too, so that the message is read without parsing logfmt.
    const log = bundle ? ['--log', logFile(bundle)] : [];
    return ['--root', this.opts.root, '--log-format', 'json', ...log];
  }

  private exec(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(this.binary, [...this.globalArgs(), ...args], { timeout: 30_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        if (err) reject(new RuntimeError(`${this.name} ${args.join(' ')}`, cleanMessage(stderr) || err.message));
        else resolve(stdout);
      });
    });
  }

  private async detached(command: string, id: string, bundle: string, args: string[], stdio: ContainerStdio): Promise<void> {
    await rm(logFile(bundle), { force: true });
    const code = await (await this.spawnWithStdio(this.binary, [...this.globalArgs(bundle), ...args], stdio)).exited;
    if (code !== 0) throw new RuntimeError(`${this.name} ${command} ${id}`, await this.logError(bundle));
  }

  /** Spawns with the container's stdio; resolves once spawned, with a promise of the exit code. */
  private async spawnWithStdio(cmd: string, args: string[], stdio: ContainerStdio | { stdout: 'ignore'; stderr: 'ignore' }): Promise<{ exited: Promise<number | null> }> {
    const given = [stdio.stdout, stdio.stderr];
    const files = await Promise.all(given.map((s) => (typeof s === 'number' || s === 'ignore' ? undefined : open(s, 'a'))));
    const fds = given.map((s, i) => (typeof s === 'number' || s === 'ignore' ? s : files[i]!.fd));
    try {
      const child = spawn(cmd, args, { stdio: ['ignore', fds[0], fds[1]], detached: true });
      child.unref();
      // Listen before anything else is awaited: a fast exit must not be missed.
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      return { exited };
    } finally {
      // The child holds its own copies of the descriptors.
      await Promise.all(files.map((f) => f?.close()));
    }
  }

  /** The last error the runtime logged (JSON lines: {"level":"error","msg":...}). */
  private async logError(bundle: string): Promise<string> {
    const text = await readFile(logFile(bundle), 'utf8').catch(() => '');
    const errors = text.split('\n').filter(Boolean).map(parseLogLine).filter((l) => l.level === 'error' || l.level === 'fatal');
    return errors.at(-1)?.msg ?? 'failed without a logged error';
  }
}

function parseLogLine(line: string): { level?: string; msg?: string } {
  try {
    return JSON.parse(line) as { level?: string; msg?: string };
  } catch {
    return { level: 'error', msg: line };
  }
}

/** runc's stderr is either plain text or a JSON log line; keep the message. */
function cleanMessage(stderr: string): string {
  const last = stderr.trim().split('\n').filter(Boolean).at(-1) ?? '';
  return parseLogLine(last).msg?.trim() ?? last;
}

export const pidFile = (bundle: string) => path.join(bundle, 'init.pid');
const exitFile = (bundle: string) => path.join(bundle, 'exit-status');
const logFile = (bundle: string) => path.join(bundle, 'runtime.log');

/** The exit status a `run` shim recorded, or undefined while the container runs. */
export async function exitStatus(bundle: string): Promise<number | undefined> {
  const text = await readFile(exitFile(bundle), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : Number(text.trim());
}

/** True once `file` has content; false if `gaveUp` turns true first or after the timeout. */
async function waitForFile(file: string, gaveUp: () => boolean, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // existsSync first: a failed read per poll would make an error object each time.
    const ready = existsSync(file) && (await readFile(file, 'utf8').then((t) => t.trim() !== '', () => false));
    if (ready) return true;
    if (gaveUp()) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}
