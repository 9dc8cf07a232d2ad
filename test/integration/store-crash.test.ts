// Crash safety of the embedded store: a child process writes concurrently and reports each write
// the store acknowledged; we kill it with SIGKILL mid-way (several times, so kills also land during
// snapshots and after a recovery), reopen the folder, and every acknowledged write must be there
// with its content.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWalStore } from '../../src-main/store/wal-store.ts';
import { valueFor } from './fixtures/store-crash-writer.ts';

const writerScript = fileURLToPath(new URL('./fixtures/store-crash-writer.ts', import.meta.url));
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Runs the writer until it has acknowledged `acks` writes, kills it, returns key -> highest acked version. */
async function runAndKill(dir: string, acks: number, acked: Map<string, number>): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', writerScript, dir, `run${acks}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let seen = 0;
  let partial = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const m = /^ack (\S+) (\d+)$/.exec(line);
        if (!m) continue;
        acked.set(m[1], Math.max(acked.get(m[1]) ?? 0, Number(m[2])));
        if (++seen === acks) {
          child.kill('SIGKILL');
          resolve();
        }
      }
    });
    void exited.then(() => reject(new Error(`writer exited before ${acks} acks (${seen}): ${stderr}`)));
  });
  await exited;
}

describe('WalStore crash safety', () => {
  it('keeps every acknowledged write after SIGKILL during concurrent writes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubelab-store-crash-'));
    dirs.push(dir);
    const acked = new Map<string, number>();
    for (const acks of [1500, 2500, 4000]) {
      await runAndKill(dir, acks, acked);
      const lines: string[] = [];
      const store = await openWalStore({ dir, log: (line) => lines.push(line) });
      try {
        const missing: string[] = [];
        for (const [key, version] of acked) {
          const kv = await store.get(key);
          // A write can be durable without its ack reaching us before the kill: never less.
          if (!kv || kv.version < version) {
            missing.push(`${key} v${version}`);
            continue;
          }
          expect(kv.value).toBe(valueFor(key, kv.version));
        }
        expect(missing).toEqual([]);
        for (const line of lines) expect(line).toMatch(/^store: cut corrupt log tail at \S+:\d+ \(\d+ bytes\)$/);
      } finally {
        await store.close();
      }
    }
  }, 30_000);
});
