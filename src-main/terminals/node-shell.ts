// A node's terminal: a login shell over SSH to a node this computer added (`<dataDir>/nodes.json`),
// reached as `kubelab node upgrade` reaches it: the recorded user, port, key or agent, and the
// host key pinned at join (known-hosts.json). Nothing runs through the cluster, so it works on a
// NotReady node. A node added with a password gets it asked through the terminal, as does the
// passphrase of an encrypted key file, unless the desktop app remembered it in the OS keychain
// (provision/ssh/secret-vault.ts): that one is tried first, and a new one typed after it was
// refused replaces it.
import { flagsOf, targetOf } from '../provision/cli/connect-node.ts';
import { NodeRegistry, type NodeRecord } from '../provision/cli/node-registry.ts';
import { connectSsh } from '../provision/ssh/connect.ts';
import { AuthenticationError } from '../provision/ssh/errors.ts';
import { KnownHosts } from '../provision/ssh/known-hosts.ts';
import type { SshSession } from '../provision/ssh/session.ts';
import { SecretVault } from '../provision/ssh/secret-vault.ts';
import type { Terminal, TerminalEvents, TerminalPrompts, TerminalSize } from './terminal.ts';

/** A failure to open the terminal that the message says all of. */
export class NodeShellError extends Error {}

const PASSWORD_TRIES = 3;

export async function openNodeShell(dataDir: string | undefined, node: string, size: TerminalSize, events: TerminalEvents, prompts: TerminalPrompts, secrets?: SecretVault): Promise<Terminal> {
  if (!dataDir) throw new NodeShellError(`node ${node}: this cluster is a kubeconfig context; Kubelab reaches only the nodes it added itself over SSH`);
  const record = new NodeRegistry(dataDir).get(node);
  if (!record) throw new NodeShellError(`node ${node} was not added from this computer, so Kubelab has no SSH access to it (kubelab node list)`);
  const session = await login(dataDir, node, record, prompts, secrets ?? new SecretVault(dataDir, undefined));
  let shell;
  try {
    shell = await session.shell(size);
  } catch (e) {
    await session.close();
    throw e;
  }
  const decoder = new TextDecoder('utf-8');
  let closed = false;
  shell.stream.on('data', (chunk: Buffer) => { if (!closed) events.output(decoder.decode(chunk, { stream: true })); });
  shell.stream.stderr.on('data', (chunk: Buffer) => { if (!closed) events.output(decoder.decode(chunk, { stream: true })); });
  void shell.exited.then(async (status) => {
    await session.close().catch(() => undefined);
    if (closed) return;
    closed = true;
    // -1: no exit status came, the connection went first.
    events.ended(status === -1 ? { lost: `the SSH connection to ${node} (${session.label}) was lost` } : { exit: status });
  });
  return {
    write: (data) => { if (!closed) shell.stream.write(data); },
    resize: (s) => { if (!closed) shell.resize(s); },
    pause: () => shell.stream.pause(),
    resume: () => shell.stream.resume(),
    close() {
      if (closed) return;
      closed = true;
      shell.close();
      void session.close().catch(() => undefined);
    },
  };
}

/**
 * Connects with the node's recorded credentials; a password or key passphrase is the remembered
 * one, else asked (up to 3 tries). One typed after a remembered one was refused is remembered
 * in its place once it works.
 */
async function login(dataDir: string, node: string, record: NodeRecord, prompts: TerminalPrompts, secrets: SecretVault): Promise<SshSession> {
  const knownHosts = KnownHosts.inDataDir(dataDir);
  // A host key not pinned (known-hosts.json was edited) is the user's to confirm, as ssh asks.
  const confirmHostKey = (q: { host: string; port: number; algorithm: string; fingerprint: string }) =>
    prompts.confirm(`${q.host}${q.port === 22 ? '' : `:${q.port}`} presents a host key Kubelab has not pinned: ${q.algorithm} ${q.fingerprint}. Is that the host's key (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub there)?`);
  const { user, host, port } = targetOf(flagsOf(record, record.auth === 'password' ? '' : undefined));
  const where = `${user}@${host}${port === 22 ? '' : `:${port}`}`;
  const remembered = { password: record.auth === 'password' ? secrets.password(node) : undefined, passphrase: secrets.passphrase(node, record.keyPath) };
  let password = remembered.password;
  let passphrase = remembered.passphrase;
  let refused = false;
  const tries = PASSWORD_TRIES + (remembered.password !== undefined || remembered.passphrase !== undefined ? 1 : 0);
  for (let attempt = 1; ; attempt++) {
    if (record.auth === 'password' && password === undefined) {
      password = await prompts.secret(attempt === 1 ? `Password for ${where}:` : `Permission denied, try again. Password for ${where}:`);
      if (password === undefined) throw new NodeShellError(`${where}: no password given`);
    }
    try {
      const session = await connectSsh(targetOf(flagsOf(record, password, passphrase)), { knownHosts, confirmHostKey });
      if (refused) rememberAgain(secrets, node, record, password, passphrase);
      return session;
    } catch (e) {
      if (!(e instanceof AuthenticationError) || attempt >= tries) throw e;
      if (record.auth === 'key' && /passphrase/.test(e.message)) {
        refused ||= passphrase !== undefined && passphrase === remembered.passphrase;
        passphrase = await prompts.secret(`${passphrase === undefined ? '' : 'Wrong passphrase. '}Passphrase for the key ${record.keyPath}:`);
        if (passphrase === undefined) throw new NodeShellError(`${where}: no passphrase given for the key ${record.keyPath}`);
      } else if (record.auth === 'password') {
        refused ||= password === remembered.password;
        password = undefined;
      } else throw e;
    }
  }
}

/** The secret that worked after the remembered one was refused takes its place. */
function rememberAgain(secrets: SecretVault, node: string, record: NodeRecord, password: string | undefined, passphrase: string | undefined): void {
  if (!secrets.status.available) return;
  if (record.auth === 'password' && password !== undefined) secrets.remember(node, { password });
  else if (record.keyPath && passphrase !== undefined) secrets.remember(node, { keyPath: record.keyPath, passphrase });
}
