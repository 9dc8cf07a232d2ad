// `npm run bench [area...]`: runs the benchmark areas (all by default), prints one table with
// each target beside its measurement, and writes bench-results.json at the repository root.
// Benchmarks are measurements, not tests: a missed target is reported, and the exit code is
// non-zero only when the bench itself could not run.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { benchAgent } from './agent.ts';
import { benchApi } from './api.ts';
import { benchJoin } from './join.ts';
import { benchProxy } from './proxy.ts';
import { benchScheduler } from './scheduler.ts';
import { REPO_ROOT } from './server-process.ts';
import { printTable, Results, writeResults, type ResultRow } from './table.ts';
import { benchUi } from './ui.ts';

/** Each area adds its rows to the Results it is given, so rows measured before a failure still count. */
const AREAS: Record<string, (results: Results) => Promise<void>> = {
  api: benchApi,
  scheduler: benchScheduler,
  agent: benchAgent,
  join: benchJoin,
  ui: benchUi,
  proxy: benchProxy,
};

/** Areas that start no control plane, so need no built UI. */
const NO_SERVER = new Set(['proxy']);

async function main(argv: string[]): Promise<void> {
  const unknown = argv.filter((a) => !(a in AREAS));
  if (unknown.length > 0) throw new Error(`unknown bench area "${unknown[0]}" (areas: ${Object.keys(AREAS).join(', ')})`);
  const areas = argv.length > 0 ? argv : Object.keys(AREAS);
  if (areas.some((a) => !NO_SERVER.has(a))) ensureRendererBuilt();
  const rows: ResultRow[] = [];
  const notes: string[] = [];
  const started = Date.now();
  // Other work on the machine takes cores from the server: say how busy it was, beside the table.
  const loadBefore = os.loadavg()[0];
  process.stdout.write(`bench: load average before the run ${loadBefore.toFixed(2)} (${os.cpus().length} cores)\n`);
  const errors: string[] = [];
  for (const area of areas) {
    process.stdout.write(`bench: ${area}\n`);
    const results = new Results(area);
    try {
      await AREAS[area](results);
    } catch (e) {
      errors.push(`${area}: ${(e as Error).message}`);
      process.stderr.write(`bench: ${area} stopped early: ${(e as Error).stack ?? String(e)}\n`);
    }
    rows.push(...results.rows);
    notes.push(...results.notes);
  }
  const loadAfter = os.loadavg()[0];
  printTable(rows);
  if (notes.length > 0) process.stdout.write(`\n${notes.join('\n')}\n`);
  process.stdout.write(`\nload average (1 min): ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after, on ${os.cpus().length} cores\n`);
  const failed = rows.filter((r) => r.pass === false).length;
  const out = join(REPO_ROOT, 'bench-results.json');
  writeResults(out, rows, { areas, durationSeconds: Math.round((Date.now() - started) / 1000), loadAverage: { before: loadBefore, after: loadAfter }, errors });
  process.stdout.write(`\n${failed === 0 ? 'all targets met' : `${failed} target(s) missed`}; results in ${out}\n`);
  for (const e of errors) process.stdout.write(`stopped early: ${e.split('\n')[0]}\n`);
  if (errors.length > 0) process.exitCode = 1;
}

/**
 * `kubelab serve` builds the UI on its first start when out/renderer is missing; build it here,
 * once, so that a vite build never counts as server start-up time.
 */
function ensureRendererBuilt(): void {
  if (existsSync(join(REPO_ROOT, 'out/renderer/index.html'))) return;
  process.stdout.write('bench: building the UI first (npm run build:ui)\n');
  execFileSync('npm', ['run', 'build:ui'], { cwd: REPO_ROOT, stdio: 'inherit' });
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
