// Crash safety at the server level: `kubelab serve` takes concurrent creates and updates from 16
// clients (with refused writes mixed in) and is killed with SIGKILL mid-stream. Restarted on the
// same data folder, it must hold every write it answered 2xx with that content (an update: its
// last acknowledged value, or a later one that was in flight), and nothing it refused. A second
// server on a folder in use must refuse to start, saying so in one line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BenchHttp } from '../bench/http.ts';
import { ServerProcess, type Started } from '../bench/server-process.ts';
import { duplicateValue, Ledger, runWriters, versionValue } from './fixtures/server-crash-writers.ts';

const CLIENTS = 16;
const LOAD_MS = 2_000;
const NS = 'crash';

const servers: ServerProcess[] = [];
const clients: BenchHttp[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.kill();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(dataDir: string): Promise<{ server: Started; http: BenchHttp }> {
  const server = await ServerProcess.start(dataDir);
  servers.push(server.proc);
  const http = new BenchHttp(server, CLIENTS);
  clients.push(http);
  return { server, http };
}

interface StoredConfigMap {
  metadata: { name: string };
  data?: Record<string, string>;
}

describe('kubelab serve crash safety', () => {
  it('keeps every acknowledged write and nothing refused after SIGKILL mid-stream', async () => {
    const temp = mkdtempSync(join(tmpdir(), 'kubelab-server-crash-'));
    dirs.push(temp);
    const dataDir = join(temp, 'data');
    const first = await start(dataDir);
    await first.http.expectOk('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }));

    const ledger = new Ledger();
    let killed = false;
    const writing = runWriters(first.http, NS, CLIENTS, ledger, () => killed);
    await new Promise((r) => setTimeout(r, LOAD_MS));
    // The kill lands while all 16 clients have requests in flight.
    await first.server.proc.kill();
    killed = true;
    await writing;
    expect(ledger.acks, 'acknowledged writes before the kill').toBeGreaterThan(50);
    expect(ledger.unanswered, 'requests cut off by the kill').toBeGreaterThan(0);

    const second = await start(dataDir);
    const list = JSON.parse((await second.http.expectOk('GET', `/api/v1/namespaces/${NS}/configmaps`)).body.toString('utf8')) as { items: StoredConfigMap[] };
    const stored = new Map(list.items.map((cm) => [cm.metadata.name, cm.data?.v]));

    const problems: string[] = [];
    for (const [name, state] of ledger.names) {
      const value = stored.get(name);
      if (value === undefined) {
        if (state.acked >= 0) problems.push(`${name}: acknowledged create is missing`);
        continue;
      }
      // Which write this content came from; it must be one that was sent, at or after the last ack.
      const k = [...Array(state.attempted + 1).keys()].find((i) => versionValue(name, i) === value);
      if (k === undefined) problems.push(`${name}: content ${JSON.stringify(value)} was never written`);
      else if (k < state.acked) problems.push(`${name}: has write ${k}, but write ${state.acked} was acknowledged`);
    }
    for (const name of ledger.duplicated) {
      if (stored.get(name) === duplicateValue()) problems.push(`${name}: holds the content of a refused duplicate create`);
    }
    for (const name of stored.keys()) {
      // kube-root-ca.crt: every namespace gets it from the root CA publisher.
      if (!ledger.names.has(name) && name !== 'kube-root-ca.crt') problems.push(`${name}: present but never created by the test`);
    }
    for (const key of ledger.refused.keys()) {
      const a = await second.http.request('GET', `/api/v1/namespaces/${NS}/${key}`);
      if (a.status !== 404) problems.push(`${key}: refused with 422 but GET answers ${a.status}`);
    }
    expect(problems).toEqual([]);
    expect(ledger.refused.size, 'refused writes checked').toBeGreaterThan(0);
    expect(ledger.duplicated.size, 'refused duplicates checked').toBeGreaterThan(0);

    // The restarted server holds the folder: another one on it must refuse, clearly.
    const other = await ServerProcess.runToExit(dataDir);
    expect(other.code).not.toBe(0);
    expect(other.code).not.toBeNull();
    const lines = other.output.trim().split('\n');
    expect(lines, other.output).toHaveLength(1);
    expect(lines[0]).toMatch(/data folder .* in use/i);
    expect(second.server.proc.running, 'the first server keeps running').toBe(true);
    // ...and the server that holds it still answers.
    await second.http.expectOk('GET', `/api/v1/namespaces/${NS}/configmaps?limit=1`);
  }, 60_000);
});
