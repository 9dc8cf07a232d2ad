// A node's terminal over its SSH connection: an interactive login shell on a pty (ssh2's shell
// channel), with resize. It needs nothing on the node but sshd, so it works on a NotReady node
// too; the app's terminal tabs put xterm.js on it.
import type { Client, ClientChannel } from 'ssh2';
import { SshError } from './errors.ts';

export interface TerminalSize {
  cols: number;
  rows: number;
}

export interface NodeShell {
  /** The terminal's bytes, both ways (stderr is the pty's too). */
  readonly stream: ClientChannel;
  resize(size: TerminalSize): void;
  /** Resolves with the shell's exit status (128 + n for a signal; -1 when the connection dropped). */
  readonly exited: Promise<number>;
  close(): void;
}

export function openShell(client: Client, label: string, size: TerminalSize, term = 'xterm-256color'): Promise<NodeShell> {
  return new Promise((resolve, reject) => {
    client.shell({ term, cols: size.cols, rows: size.rows }, (err, stream) => {
      if (err) return reject(new SshError(`${label}: cannot open a shell (${err.message})`));
      let status = -1;
      stream.on('exit', (code: number | null, signal?: string) => {
        status = code ?? (signal ? 128 + (signalNumbers[signal] ?? 0) : -1);
      });
      const exited = new Promise<number>((done) => stream.once('close', () => done(status)));
      resolve({
        stream,
        // ssh2's setWindow takes rows first, then columns (and the pixel sizes, unused).
        resize: (s) => stream.setWindow(s.rows, s.cols, 0, 0),
        exited,
        close: () => stream.close(),
      });
    });
  });
}

const signalNumbers: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, TERM: 15 };
