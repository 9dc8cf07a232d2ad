// The admin token: made once, kept in the data folder (0600), the credential of the kubeconfig
// that `kubelab kubeconfig` prints.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/files.ts';

export function ensureAdminToken(dir: string): string {
  const path = join(dir, 'admin.token');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const token = randomBytes(32).toString('base64url');
  writeFileAtomic(path, `${token}\n`, 0o600);
  return token;
}
