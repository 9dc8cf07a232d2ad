// Turns an SshAuth into what ssh2 needs, checking what can be checked before dialling (the key
// file can be read, the passphrase opens it, an agent socket exists), so that each of those
// mistakes gets its own line instead of a generic "authentication failed".
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { ConnectConfig } from 'ssh2';
import { AuthenticationError } from './errors.ts';
import type { SshAuth } from './target.ts';

export interface Credentials {
  config: Pick<ConnectConfig, 'privateKey' | 'passphrase' | 'agent' | 'password' | 'authHandler'>;
  /** For "authentication failed ... (tried: ...)": names the method and file, never a secret. */
  tried: string;
}

export function credentialsFor(auth: SshAuth, host: string): Credentials {
  switch (auth.kind) {
    case 'key': return keyCredentials(auth.path, auth.passphrase, host);
    case 'agent': {
      const socket = auth.socket ?? process.env.SSH_AUTH_SOCK;
      if (!socket) throw new AuthenticationError(`${host}: no ssh-agent to ask (SSH_AUTH_SOCK is not set)`);
      return { config: { agent: socket, authHandler: ['agent'] }, tried: `ssh-agent ${socket}` };
    }
    case 'password': return { config: { password: auth.password, authHandler: ['password'] }, tried: 'password' };
  }
}

function keyCredentials(path: string, passphrase: string | undefined, host: string): Credentials {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (e) {
    throw new AuthenticationError(`${host}: cannot read the key ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const parsed = ssh2.utils.parseKey(data, passphrase);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key instanceof Error) throw new AuthenticationError(`${host}: ${keyProblem(path, key.message, passphrase !== undefined)}`);
  if (!key.isPrivateKey()) throw new AuthenticationError(`${host}: ${path} is a public key; give the private key file`);
  return { config: { privateKey: data, passphrase, authHandler: ['publickey'] }, tried: `key ${path}` };
}

// ssh2's parse errors say what went wrong in its own words; these are the ones a user can fix.
function keyProblem(path: string, message: string, hadPassphrase: boolean): string {
  if (/no passphrase/i.test(message)) return `the key ${path} is encrypted: a passphrase is needed`;
  if (/bad passphrase|decrypt|integrity check/i.test(message) || (hadPassphrase && /encrypted/i.test(message))) return `wrong passphrase for the key ${path}`;
  return `cannot use the key ${path}: ${message.split('\n')[0]}`;
}
