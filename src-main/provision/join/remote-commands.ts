// Root commands over a RemoteHost, as provisioning runs them: one that must succeed (its error
// says what failed), and the removal of installed paths.
import { shellQuote } from '../../util/shell.ts';
import type { RemoteHost } from '../remote-host.ts';

/** A command as root that must succeed; `what` and its last line of stderr make the error. */
export async function root(host: RemoteHost, command: string, what: string, timeoutMs?: number): Promise<string> {
  const r = await host.run(command, { sudo: true, timeoutMs });
  if (r.code !== 0) throw new Error(`${host.label}: ${what} failed (exit ${r.code}): ${r.stderr.trim().split('\n').at(-1) ?? ''}`);
  return r.stdout;
}

/**
 * Removes the paths; one that is a mount point of its own (a separate disk, a test host's
 * private folder) is emptied instead. Returns what is still there.
 */
export async function removePaths(host: RemoteHost, paths: string[]): Promise<string[]> {
  const script = [
    'for p in "$@"; do',
    '  if mountpoint -q "$p" 2>/dev/null; then find "$p" -mindepth 1 -delete 2>/dev/null; [ -n "$(ls -A "$p")" ] && echo "$p";',
    '  else rm -rf "$p"; [ -e "$p" ] && echo "$p"; fi',
    'done; true',
  ].join('\n');
  const r = await host.run(`sh -c ${shellQuote(script)} sh ${paths.map(shellQuote).join(' ')}`, { sudo: true });
  return r.stdout.trim().split('\n').filter(Boolean);
}
