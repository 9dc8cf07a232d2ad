// A shell on this machine, on a pty (node-pty): $SHELL, else bash, else sh, in the user's home,
// with KUBECONFIG set to the cluster the app shows so that kubectl just works. In browser mode it
// runs on the serving machine (see README.md).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import pty from '@lydell/node-pty';
import type { Terminal, TerminalEvents, TerminalSize } from './terminal.ts';

export interface LocalShellOptions {
  size: TerminalSize;
  /** The cluster's kubeconfig, for KUBECONFIG. */
  kubeconfigPath?: string;
  /** Default: $SHELL, /bin/bash, /bin/sh, whichever exists first. */
  shell?: string;
  cwd?: string;
  env?: Record<string, string>;
}

export function localShellPath(env: NodeJS.ProcessEnv = process.env): string {
  return [env.SHELL, '/bin/bash', '/bin/sh'].find((s): s is string => !!s && existsSync(s)) ?? '/bin/sh';
}

export function openLocalShell(opts: LocalShellOptions, events: TerminalEvents): Terminal & { readonly pid: number } {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), TERM: 'xterm-256color', COLORTERM: 'truecolor', ...opts.env };
  if (opts.kubeconfigPath) env.KUBECONFIG = opts.kubeconfigPath;
  const shell = opts.shell ?? localShellPath();
  const proc = pty.spawn(shell, [], { name: 'xterm-256color', cols: opts.size.cols, rows: opts.size.rows, cwd: opts.cwd ?? homedir(), env });
  let closed = false;
  let exited = false;
  proc.onData((text) => { if (!closed) events.output(text); });
  proc.onExit(({ exitCode, signal }) => {
    exited = true;
    if (closed) return;
    closed = true;
    events.ended({ exit: signal ? 128 + signal : exitCode });
  });
  return {
    pid: proc.pid,
    write: (data) => proc.write(typeof data === 'string' ? data : data.toString('utf8')),
    resize: (s) => { if (!closed) proc.resize(s.cols, s.rows); },
    pause: () => proc.pause(),
    resume: () => proc.resume(),
    close() {
      if (closed) return;
      closed = true;
      // SIGHUP, as a terminal emulator's window closing sends: the shell ends its jobs too. A
      // shell that ignores it is killed, so that no tab leaves a process behind.
      try { proc.kill('SIGHUP'); } catch { /* already gone */ }
      setTimeout(() => { if (!exited) try { proc.kill('SIGKILL'); } catch { /* gone */ } }, 2000).unref();
    },
  };
}
