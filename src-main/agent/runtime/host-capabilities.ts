// The capabilities this agent process may hand to containers: its bounding set.
import { readFile } from 'node:fs/promises';
import { capabilitiesFromMask } from './spec-security.ts';

export async function hostCapabilities(): Promise<string[]> {
  const status = await readFile('/proc/self/status', 'utf8');
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status);
  if (!m) throw new Error('no CapBnd line in /proc/self/status');
  return capabilitiesFromMask(m[1]);
}
