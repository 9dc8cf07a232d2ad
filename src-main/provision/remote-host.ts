// What provisioning needs of a machine it bootstraps: run a command (as root through sudo when
// asked), upload a file, close. The SSH session (provision/ssh/) implements it; preflight, install
// and remove are written against this interface alone, so they never see credentials.

export interface CommandResult {
  /** The exit status; 128 + n when a signal ended the command. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Bytes for the command's standard input (after the sudo password, which the host adds). */
  stdin?: string | Buffer;
  /** Run as root: directly when the session is root, else through `sudo -S` (password on stdin). */
  sudo?: boolean;
  /** Kill the command after this long (default 60 s); the result then has code 124. */
  timeoutMs?: number;
}

export interface UploadOptions {
  /** File mode, e.g. 0o755 (default 0o644). */
  mode?: number;
  /** Write as root (into /usr/local, /etc, /var/lib): staged by the user, then moved with sudo. */
  sudo?: boolean;
}

export interface RemoteHost {
  /** user@host[:port], as the user typed it: for messages, never with credentials. */
  readonly label: string;
  /** The SSH user; 'root' means sudo is not needed. */
  readonly user: string;
  run(command: string, opts?: RunOptions): Promise<CommandResult>;
  /** Writes the bytes to remotePath, then checks the remote file's SHA-256; throws on mismatch. */
  upload(data: Buffer, remotePath: string, opts?: UploadOptions): Promise<void>;
  close(): Promise<void>;
}
