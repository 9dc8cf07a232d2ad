// The local terminal end to end through the bridge's openTerminal: a real shell on a real pty,
// with KUBECONFIG set, resized, its exit status, and nothing left running after its tab closes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TERMINAL_MAX_UNACKED_CHARS } from '../../src-main/bridge/api/terminals.ts';
import type { KubeClient } from '../../src-main/client/kube-client.ts';
import { TerminalClient } from './harness/terminal-client.ts';
import { waitFor } from './harness/cluster.ts';

const dir = mkdtempSync(join(tmpdir(), 'kl-term-local-'));
const kubeconfigPath = join(dir, 'app.kubeconfig');
writeFileSync(kubeconfigPath, 'apiVersion: v1\nkind: Config\n');
const deps = { client: undefined as unknown as KubeClient, kubeconfigPath };

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('local terminal', () => {
  it('runs a shell on a pty with KUBECONFIG set, resizes it, and reports its exit status', async () => {
    const t = await TerminalClient.open(deps, { type: 'local' }, { cols: 100, rows: 30 });
    // Markers the shell builds, so the echo of the typed line never matches them.
    t.type('echo "x=$((6*7)) size=$(stty size) kc=$KUBECONFIG"\r');
    await t.until(`x=42 size=30 100 kc=${kubeconfigPath}`);
    t.send({ type: 'resize', cols: 132, rows: 43 });
    t.type('echo "now=$(stty size)"\r');
    await t.until('now=43 132');
    // UTF-8 both ways, whole.
    t.type('echo "é=$(printf \'\\303\\251\')€"\r');
    await t.until('é=é€');
    t.type('exit 7\r');
    expect(await t.untilEnded()).toBe('');
    expect(t.exit).toBe(7);
  });

  it('stops reading a flood of output while the screen is behind, and resumes as it catches up', async () => {
    const t = await TerminalClient.open(deps, { type: 'local' });
    t.acknowledging = false;
    t.type('yes flood | head -c 4000000; echo "done=$((1+1))"\r');
    await t.until('flood');
    await new Promise((r) => setTimeout(r, 1500));
    const held = t.out.length;
    // Held back near the mark (256 Ki characters unacknowledged), not 4 MB.
    expect(held).toBeLessThan(TERMINAL_MAX_UNACKED_CHARS + 256 * 1024);
    t.acknowledging = true;
    t.send({ type: 'ack', chars: held });
    await t.until('done=2', 60_000);
    expect(t.out.length).toBeGreaterThan(4_000_000);
    t.close();
  }, 90_000);

  it('ends the shell and what it started when the tab closes, or the window goes', async () => {
    const t = await TerminalClient.open(deps, { type: 'local' });
    t.type('sleep 1000 & echo "bg=$!"; echo "sh=$$"\r');
    await t.until(/sh=\d+/);
    const shell = Number(/sh=(\d+)/.exec(t.out)![1]);
    const job = Number(/bg=(\d+)/.exec(t.out)![1]);
    expect(alive(shell) && alive(job)).toBe(true);
    t.close();
    await waitFor('the shell and its job gone', () => !alive(shell) && !alive(job), 10_000);

    const u = await TerminalClient.open(deps, { type: 'local' });
    u.type('echo "sh=$$"\r');
    await u.until(/sh=\d+/);
    const other = Number(/sh=(\d+)/.exec(u.out)![1]);
    u.session.close();
    await waitFor('the shell gone with its connection', () => !alive(other), 10_000);
    expect(u.session.streamCount).toBe(0);
  });
});
