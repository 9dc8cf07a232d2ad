// A connected host: the RemoteHost that preflight, install and remove use, plus the reverse
// tunnel for nodes that cannot reach the laptop. Commands run as the SSH user, or as root
// through sudo (see sudo.ts); files go over SFTP (see upload.ts).
import type { Client } from 'ssh2';
import type { CommandResult, RemoteHost, RunOptions, UploadOptions } from '../remote-host.ts';
import { SshError } from './errors.ts';
import { execCommand } from './exec.ts';
import { ReverseTunnels, type ReverseTunnel } from './reverse-tunnel.ts';
import { openShell, type NodeShell, type TerminalSize } from './shell.ts';
import { Sudo } from './sudo.ts';
import { uploadFile } from './upload.ts';

const DEFAULT_TIMEOUT_MS = 60_000;

export class SshSession implements RemoteHost {
  private closed = false;
  private readonly sudo: Sudo;
  private readonly tunnels: ReverseTunnels;

  constructor(
    readonly label: string,
    readonly user: string,
    /** host[:port], the name in messages about the machine rather than the login. */
    readonly host: string,
    readonly client: Client,
    /** Connections this one rides on (the jump host's), closed with it. */
    private readonly through: SshSession[],
    sudoPassword?: () => Promise<string | undefined>,
  ) {
    this.sudo = new Sudo((command, stdin) => this.exec(command, stdin, DEFAULT_TIMEOUT_MS), host, user, sudoPassword);
    this.tunnels = new ReverseTunnels(client, label);
    client.on('close', () => { this.closed = true; });
  }

  async run(command: string, opts: RunOptions = {}): Promise<CommandResult> {
    const stdin = typeof opts.stdin === 'string' ? Buffer.from(opts.stdin) : opts.stdin;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!opts.sudo) return this.exec(command, stdin, timeoutMs);
    const wrapped = await this.sudo.wrap(command, stdin, timeoutMs);
    return this.exec(wrapped.command, wrapped.stdin, timeoutMs);
  }

  upload(data: Buffer, remotePath: string, opts?: UploadOptions): Promise<void> {
    return uploadFile(this, data, remotePath, opts);
  }

  /**
   * Carries connections made on the host to remoteAddress:remotePort (0: the host picks a port)
   * to `to` on this machine, for as long as the session or the tunnel lasts.
   */
  forwardIn(remoteAddress: string, remotePort: number, to: { host: string; port: number }): Promise<ReverseTunnel> {
    this.assertOpen();
    return this.tunnels.open(remoteAddress, remotePort, to);
  }

  /** An interactive shell on a pty (the node's terminal). */
  shell(size: TerminalSize): Promise<NodeShell> {
    this.assertOpen();
    return openShell(this.client, this.label, size);
  }

  async close(): Promise<void> {
    await this.tunnels.closeAll();
    if (!this.closed) {
      const closed = new Promise<void>((resolve) => this.client.once('close', () => resolve()));
      this.client.end();
      await closed;
    }
    for (const s of this.through) await s.close();
  }

  private exec(command: string, stdin: Buffer | undefined, timeoutMs: number): Promise<CommandResult> {
    this.assertOpen();
    return execCommand(this.client, this.label, command, stdin, timeoutMs);
  }

  private assertOpen(): void {
    if (this.closed) throw new SshError(`${this.label}: the SSH connection is closed`);
  }
}
