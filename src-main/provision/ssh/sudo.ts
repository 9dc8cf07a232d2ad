// Root on a host logged into as another user, through sudo: found out once per session whether
// sudo needs a password, the password asked for once, checked once, then fed on stdin
// (`sudo -S`), never on a command line. A wrong one fails at once: no retry loop, which would
// also lock the account with some PAM settings.
import type { CommandResult } from '../remote-host.ts';
import { SudoError } from './errors.ts';
import { shellQuote } from './exec.ts';

type Exec = (command: string, stdin?: Buffer) => Promise<CommandResult>;

type SudoMode = { kind: 'root' } | { kind: 'nopasswd' } | { kind: 'password'; password: string };

export interface SudoCommand {
  command: string;
  stdin?: Buffer;
}

export class Sudo {
  private mode?: Promise<SudoMode>;

  constructor(
    private readonly exec: Exec,
    private readonly host: string,
    private readonly user: string,
    private readonly askPassword?: () => Promise<string | undefined>,
  ) {}

  /**
   * The command as root, with the stdin to give it (the password first, when one is needed).
   * The deadline is enforced on the host too: the session's signal comes from the SSH user and
   * cannot kill root's processes, so timeout(1) (coreutils and busybox) runs the command and kills
   * its whole process group.
   */
  async wrap(command: string, stdin: Buffer | undefined, timeoutMs: number): Promise<SudoCommand> {
    this.mode ??= this.findMode().catch((e: unknown) => {
      // A definite answer (wrong password, no sudo) stands for the session; a dropped
      // connection does not.
      if (!(e instanceof SudoError)) this.mode = undefined;
      throw e;
    });
    const mode = await this.mode;
    const sh = `timeout -s KILL ${Math.ceil(timeoutMs / 1000)} sh -c ${shellQuote(command)}`;
    switch (mode.kind) {
      case 'root': return { command, stdin };
      // -n: fail rather than wait for a password nobody will type.
      case 'nopasswd': return { command: `sudo -n -- ${sh}`, stdin };
      // -k: always read the password, even where sudo still has a timestamp from an earlier
      // command; else the password line would reach the command's stdin. -p '': no prompt.
      case 'password': return { command: `sudo -k -S -p '' -- ${sh}`, stdin: Buffer.concat([Buffer.from(`${mode.password}\n`), stdin ?? Buffer.alloc(0)]) };
    }
  }

  private async findMode(): Promise<SudoMode> {
    if (this.user === 'root') return { kind: 'root' };
    // -k: a timestamp left by an earlier sudo must not pass for passwordless sudo.
    const probe = await this.exec('sudo -k -n true');
    if (probe.code === 0) return { kind: 'nopasswd' };
    if (probe.code === 127 || /not found/.test(probe.stderr)) throw this.error('sudo is not installed (install it, or connect as root)');
    if (!/password is required/.test(probe.stderr)) throw this.refused(probe.stderr);
    const password = await this.askPassword?.();
    if (password === undefined) throw this.error(`${this.user} needs a password for sudo and none was given`);
    if (password.includes('\n')) throw this.error('a sudo password cannot contain a line break');
    // Checked alone first, with nothing after it on stdin that sudo could take as a second try.
    const check = await this.exec(`sudo -k -S -p '' -- true`, Buffer.from(`${password}\n`));
    if (check.code === 0) return { kind: 'password', password };
    if (/incorrect password|try again/i.test(check.stderr)) throw this.error('wrong password');
    throw this.refused(check.stderr);
  }

  private refused(stderr: string): SudoError {
    if (/not in the sudoers|may not run sudo|not allowed/i.test(stderr)) return this.error(`${this.user} may not use sudo (not in sudoers)`);
    const line = stderr.split('\n').find((l) => l.trim()) ?? 'failed';
    return this.error(line.replace(/^sudo:\s*/, ''));
  }

  private error(why: string): SudoError {
    return new SudoError(`sudo on ${this.host}: ${why}`);
  }
}
