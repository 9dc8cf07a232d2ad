// A file onto the host over SFTP, whole or not at all: written next to its place and renamed
// (a running agent's file is replaced, never truncated under it), or, for root-owned places,
// staged in the user's own temp folder and installed with sudo. The host's sha256sum must
// then match what was sent.
import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Client, SFTPWrapper } from 'ssh2';
import type { CommandResult, RunOptions, UploadOptions } from '../remote-host.ts';
import { SshError } from './errors.ts';
import { shellQuote as q } from './exec.ts';

export interface UploadHost {
  readonly label: string;
  readonly user: string;
  readonly client: Client;
  run(command: string, opts?: RunOptions): Promise<CommandResult>;
}

export async function uploadFile(host: UploadHost, data: Buffer, remotePath: string, opts: UploadOptions = {}): Promise<void> {
  const fail = (why: string): never => {
    throw new SshError(`upload of ${remotePath} to ${host.label} failed: ${why}`);
  };
  if (!posix.isAbsolute(remotePath)) fail('the remote path must be absolute');
  const mode = (opts.mode ?? 0o644).toString(8);
  const asRoot = opts.sudo === true && host.user !== 'root';
  const must = async (command: string, sudo: boolean) => {
    const r = await host.run(command, { sudo });
    if (r.code !== 0) fail(firstLine(r.stderr) || `${command.split(' ')[0]} exited with ${r.code}`);
    return r.stdout;
  };
  const tmp = `${remotePath}.kl-upload-${randomBytes(4).toString('hex')}`;
  if (asRoot) {
    const stage = (await must('mktemp -d', false)).trim();
    try {
      await writeOverSftp(host.client, `${stage}/upload`, data, 0o600).catch((e: Error) => fail(`staging in ${stage}: ${e.message}`));
      await must(`mkdir -p -- ${q(posix.dirname(remotePath))} && install -m ${mode} -- ${q(`${stage}/upload`)} ${q(tmp)} && mv -f -- ${q(tmp)} ${q(remotePath)}`, true);
    } finally {
      await host.run(`rm -rf -- ${q(stage)}`).catch(() => undefined);
    }
  } else {
    await must(`mkdir -p -- ${q(posix.dirname(remotePath))}`, false);
    try {
      await writeOverSftp(host.client, tmp, data, Number.parseInt(mode, 8)).catch((e: Error) => fail(e.message));
      await must(`mv -f -- ${q(tmp)} ${q(remotePath)}`, false);
    } catch (e) {
      // A half-written temporary file must not stay behind next to the real one.
      await host.run(`rm -f -- ${q(tmp)}`).catch(() => undefined);
      throw e;
    }
  }
  const sent = createHash('sha256').update(data).digest('hex');
  const found = (await must(`sha256sum -- ${q(remotePath)}`, opts.sudo === true)).split(/\s/)[0];
  if (found !== sent) fail(`checksum mismatch (sent sha256 ${sent}, the host has ${found})`);
}

function writeOverSftp(client: Client, path: string, data: Buffer, mode: number): Promise<void> {
  return new Promise((resolve, reject) => {
    client.sftp((err, sftp) => {
      if (err) return reject(new Error(`no SFTP (${err.message}): is the sftp subsystem enabled in sshd_config?`));
      const done = (e?: Error | null) => {
        sftp.end();
        if (e) reject(new Error(sftpMessage(e)));
        else resolve();
      };
      sftp.writeFile(path, data, { mode }, (e) => {
        // The server's umask applies at create: set the mode itself.
        if (e) return done(e);
        chmod(sftp, path, mode).then(() => done(), done);
      });
    });
  });
}

function chmod(sftp: SFTPWrapper, path: string, mode: number): Promise<void> {
  return new Promise((resolve, reject) => sftp.chmod(path, mode, (e) => (e ? reject(e) : resolve())));
}

function sftpMessage(e: Error & { code?: number }): string {
  // SFTP status codes (draft-ietf-secsh-filexfer-02 §7) that a user can act on.
  if (e.code === 3) return 'permission denied (write there with sudo)';
  if (e.code === 2) return 'no such folder';
  return e.message;
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim())?.trim() ?? '';
}
