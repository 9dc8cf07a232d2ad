// The bench's result rows: printed as a table with each target beside its measurement, and
// written to bench-results.json at the repository root for comparison between runs.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { round } from './stats.ts';

export interface Target {
  /** 'min': the value must be at least `value`; 'max': at most. */
  kind: 'min' | 'max';
  value: number;
}

export interface ResultRow {
  area: string;
  name: string;
  value: number;
  unit: string;
  /** A human form of the target, e.g. ">= 2000"; null for informational rows. */
  target: string | null;
  /** Undefined (null in JSON) for rows that have no target. */
  pass: boolean | null;
}

export class Results {
  readonly rows: ResultRow[] = [];
  /** Lines printed under the table: sources of published figures quoted in the rows, say. */
  readonly notes: string[] = [];

  constructor(private readonly area: string) {}

  add(name: string, value: number, unit: string, target?: Target): ResultRow {
    const shown = round(value, Math.abs(value) >= 100 ? 0 : 1);
    const row: ResultRow = {
      area: this.area,
      name,
      value: shown,
      unit,
      target: target ? `${target.kind === 'min' ? '>=' : '<='} ${target.value}` : null,
      pass: target ? (target.kind === 'min' ? value >= target.value : value <= target.value) && Number.isFinite(value) : null,
    };
    this.rows.push(row);
    // Long phases: show progress as the bench goes, the full table comes at the end.
    process.stdout.write(`  ${formatRow(row)}\n`);
    return row;
  }
}

function formatRow(r: ResultRow): string {
  const verdict = r.pass === null ? '' : r.pass ? 'PASS' : 'FAIL';
  return `${r.name.padEnd(60)} ${String(r.value).padStart(10)} ${r.unit.padEnd(10)} ${(r.target ?? '').padEnd(10)} ${verdict}`;
}

export function printTable(rows: readonly ResultRow[]): void {
  const header = `${'area'.padEnd(6)} ${'measurement'.padEnd(60)} ${'value'.padStart(10)} ${'unit'.padEnd(10)} ${'target'.padEnd(10)} pass`;
  process.stdout.write(`\n${header}\n${'-'.repeat(header.length)}\n`);
  for (const r of rows) process.stdout.write(`${r.area.padEnd(6)} ${formatRow(r)}\n`);
}

export function machineInfo(): Record<string, unknown> {
  const cpus = os.cpus();
  let commit = '';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a checkout: the commit is only a label
  }
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    memoryMiB: Math.round(os.totalmem() / 2 ** 20),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    commit,
  };
}

export function writeResults(path: string, rows: readonly ResultRow[], extra: Record<string, unknown>): void {
  const doc = { date: new Date().toISOString(), machine: machineInfo(), ...extra, results: rows };
  writeFileSync(path, JSON.stringify(doc, null, 2) + '\n');
}
