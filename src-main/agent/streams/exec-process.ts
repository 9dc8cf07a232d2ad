// The process of an exec: `runc exec` in the container, with pipes, or with a terminal. runc's
// --tty wants a terminal on its own stdin (or a console socket, which would need a receiver of
// file descriptors that Node is not): script(1) from util-linux gives it one, with echo off so
// that only the container's terminal echoes. A resize sets that outer terminal's size, and the
// kernel's SIGWINCH makes runc copy it to the container's. runc's own errors go to a log file,
// not the process's stderr, so that a command that cannot start is told apart from one that ran.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { OciRuntime } from '../runtime/oci-runtime.ts';
import { shellQuote } from '../../util/shell.ts';
import type { ExecResult } from './exec-status.ts';

export interface TerminalSize {
  width: number;
  height: number;
}

export interface ExecProcess {
  stdin: Writable;
  stdout: Readable;
  /** Empty with a tty, whose output is all on stdout. */
  stderr: Readable;
  resize(size: TerminalSize): void;
  /** After the process ended and its output was read; a runtime failure is written to stderr first. */
  done: Promise<ExecResult & { runtimeMessage?: string }>;
  /** SIGTERM (runc passes it to the process), SIGKILL after the grace period. */
  terminate(graceMs?: number): void;
}

export function startExec(runtime: OciRuntime, containerId: string, command: string[], tty: boolean): ExecProcess {
  const dir = mkdtempSync(join(tmpdir(), 'kubelab-exec-'));
  const logFile = join(dir, 'runtime.log');
  let child: ChildProcess;
  if (tty) {
    const [file, args] = runtime.execArgv(containerId, command, { tty: true, logFile });
    const line = [file, ...args].map(shellQuote).join(' ');
    child = spawn('script', ['-q', '-E', 'never', '-e', '-c', `exec ${line}`, '/dev/null'], { stdio: 'pipe', env: { ...process.env, SHELL: '/bin/sh' } });
  } else {
    child = runtime.spawnExec(containerId, command, { logFile });
  }
  child.stdin!.on('error', () => undefined); // the process may end before reading its input
  const done = new Promise<ExecResult & { runtimeMessage?: string }>((resolve) => {
    child.once('error', (e) => resolve({ error: e.message }));
    child.once('close', (code, signal) => {
      const failure = runtimeFailure(logFile);
      rmSync(dir, { recursive: true, force: true });
      if (failure) resolve({ ...failureResult(failure), runtimeMessage: failure });
      else resolve({ exitCode: code ?? 128 + (signal ? constants.signals[signal] : 0) });
    });
  });
  let resizing = Promise.resolve();
  return {
    stdin: child.stdin!,
    stdout: child.stdout!,
    stderr: child.stderr!,
    resize: (size) => {
      if (!tty) return;
      resizing = resizing.then(() => resizeTerminal(child, size)).catch(() => undefined);
    },
    done,
    terminate: (graceMs = 5000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      t.unref();
      child.once('exit', () => clearTimeout(t));
    },
  };
}

/** The runtime's last logged error, when it failed to start the process. */
function runtimeFailure(logFile: string): string | undefined {
  let text = '';
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return undefined;
  }
  const errors = text.split('\n').filter(Boolean).flatMap((l) => {
    try {
      const e = JSON.parse(l) as { level?: string; msg?: string };
      return e.level === 'error' || e.level === 'fatal' ? [e.msg ?? l] : [];
    } catch {
      return [];
    }
  });
  return errors.at(-1);
}

/** As a shell would say it: 127 for a command not found, 126 for one that cannot run. */
function failureResult(message: string): ExecResult {
  if (/executable file not found|no such file or directory/i.test(message)) return { exitCode: 127 };
  if (/permission denied|exec format error/i.test(message)) return { exitCode: 126 };
  return { error: message };
}

/** The terminal script(1) made: its child's stdin (the shell that exec'd runc). */
async function terminalOf(child: ChildProcess, timeoutMs = 3000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      const tty = kids.length ? readlinkSync(`/proc/${kids[0]}/fd/0`) : '';
      if (tty.startsWith('/dev/pts/')) return tty;
    } catch { /* not started yet */ }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('no terminal');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function resizeTerminal(child: ChildProcess, size: TerminalSize): Promise<void> {
  const tty = await terminalOf(child);
  await new Promise<void>((resolve, reject) => {
    execFile('stty', ['-F', tty, 'rows', String(size.height), 'cols', String(size.width)], (e) => (e ? reject(e) : resolve()));
  });
}
