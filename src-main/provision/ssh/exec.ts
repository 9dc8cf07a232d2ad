// One command on an SSH exec channel: its stdin written and closed, stdout and stderr collected,
// the exit status as a shell reports it (128 + n for a signal), and a deadline (124, like timeout(1)).
import { constants } from 'node:os';
import type { Client, ClientChannel } from 'ssh2';
import type { CommandResult } from '../remote-host.ts';
import { SshError } from './errors.ts';

/** What ssh(1) exits with when the server never said how the command ended. */
const NO_EXIT_STATUS = 255;
const TIMED_OUT = 124;
const GRACE_MS = 2000;

export function execCommand(client: Client, label: string, command: string, stdin: Buffer | undefined, timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, channel) => {
      if (err) return reject(new SshError(`${label}: cannot run a command (${err.message})`));
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let code: number | undefined;
      let timedOut = false;
      let grace: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        timedOut = true;
        // OpenSSH ≥ 7.9 kills the command's process group; closing covers older servers.
        sendSignal(channel, 'KILL');
        channel.close();
        // A server that keeps the channel open while something still holds its output must
        // not hold the caller past the deadline too.
        grace = setTimeout(finish, GRACE_MS);
      }, timeoutMs);
      channel.on('data', (d: Buffer) => stdout.push(d));
      channel.stderr.on('data', (d: Buffer) => stderr.push(d));
      channel.on('exit', (status: number | null, signal?: string) => {
        code = status ?? 128 + signalNumber(signal);
      });
      let finished = false;
      function finish() {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        clearTimeout(grace);
        const err = Buffer.concat(stderr).toString('utf8');
        if (timedOut) {
          resolve({ code: TIMED_OUT, stdout: Buffer.concat(stdout).toString('utf8'), stderr: `${err}${err && !err.endsWith('\n') ? '\n' : ''}timed out after ${timeoutMs / 1000} s\n` });
        } else {
          resolve({ code: code ?? NO_EXIT_STATUS, stdout: Buffer.concat(stdout).toString('utf8'), stderr: err });
        }
      }
      channel.once('close', finish);
      channel.end(stdin);
    });
  });
}

// ssh2's channel.signal() sends nothing once stdin is closed (it checks `writable`), yet RFC 4254
// allows requests after EOF, and every command here has had its stdin closed: ask the protocol.
function sendSignal(channel: ClientChannel, name: string): void {
  const c = channel as unknown as { outgoing?: { id: number; state: string }; _client?: { _protocol?: { signal(id: number, name: string): void } } };
  if (c.outgoing && ['open', 'eof'].includes(c.outgoing.state)) c._client?._protocol?.signal(c.outgoing.id, name);
}

// ssh2 reports "SIGTERM"; the bare name of RFC 4254 §6.10 is taken too.
function signalNumber(name: string | undefined): number {
  if (!name) return 0;
  return constants.signals[(name.startsWith('SIG') ? name : `SIG${name}`) as NodeJS.Signals] ?? 0;
}

/** Quotes a word for sh: single quotes, each ' written as '\''. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
