// One command on an SSH exec channel: its stdin written and closed, stdout and stderr collected,
// the exit status as a shell reports it (128 + n for a signal), and a deadline (124, like timeout(1)).
import { constants } from 'node:os';
import type { Client } from 'ssh2';
import type { CommandResult } from '../remote-host.ts';
import { SshError } from './errors.ts';

/** What ssh(1) exits with when the server never said how the command ended. */
const NO_EXIT_STATUS = 255;
const TIMED_OUT = 124;

export function execCommand(client: Client, label: string, command: string, stdin: Buffer | undefined, timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, channel) => {
      if (err) return reject(new SshError(`${label}: cannot run a command (${err.message})`));
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let code: number | undefined;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        // OpenSSH ≥ 7.8 delivers the signal to the command; closing covers older servers.
        channel.signal('KILL');
        channel.close();
      }, timeoutMs);
      channel.on('data', (d: Buffer) => stdout.push(d));
      channel.stderr.on('data', (d: Buffer) => stderr.push(d));
      channel.on('exit', (status: number | null, signal?: string) => {
        code = status ?? 128 + (signal ? (constants.signals[`SIG${signal}` as NodeJS.Signals] ?? 0) : 0);
      });
      channel.on('close', () => {
        clearTimeout(timer);
        const err = Buffer.concat(stderr).toString('utf8');
        if (timedOut) {
          resolve({ code: TIMED_OUT, stdout: Buffer.concat(stdout).toString('utf8'), stderr: `${err}${err && !err.endsWith('\n') ? '\n' : ''}timed out after ${timeoutMs / 1000} s\n` });
        } else {
          resolve({ code: code ?? NO_EXIT_STATUS, stdout: Buffer.concat(stdout).toString('utf8'), stderr: err });
        }
      });
      channel.end(stdin);
    });
  });
}

/** Quotes a word for sh: single quotes, each ' written as '\''. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
