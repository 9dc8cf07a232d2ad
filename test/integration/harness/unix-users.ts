// Temporary Unix users for the SSH tests: a home, a random password (set through chpasswd's
// stdin, never a command line), and sudo rights through their own file in /etc/sudoers.d.
// remove() deletes all of it, sudo's timestamps included.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';

/** password: sudo asks for the user's password; nopasswd: it does not; none: no sudo rights. */
export type SudoRights = 'password' | 'nopasswd' | 'none';

export interface UnixUser {
  name: string;
  password: string;
  home: string;
  remove(): void;
}

export function createUnixUser(name: string, sudo: SudoRights): UnixUser {
  const password = randomBytes(12).toString('base64url');
  const sudoers = `/etc/sudoers.d/${name}`;
  const remove = () => {
    rmSync(sudoers, { force: true });
    try {
      execFileSync('userdel', ['--force', '--remove', name], { stdio: 'ignore' });
    } catch { /* not made */ }
    rmSync(`/run/sudo/ts/${name}`, { force: true });
  };
  try {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/bash', name], { stdio: 'pipe' });
    execFileSync('chpasswd', [], { input: `${name}:${password}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
    if (sudo !== 'none') {
      writeFileSync(sudoers, `${name} ALL=(ALL:ALL) ${sudo === 'nopasswd' ? 'NOPASSWD: ' : ''}ALL\n`, { mode: 0o440 });
      execFileSync('visudo', ['-c', '-q', '-f', sudoers], { stdio: 'pipe' });
    }
  } catch (e) {
    remove();
    throw e;
  }
  return { name, password, home: `/home/${name}`, remove };
}
