// The CRI log pieces without containers: the format both ways, long lines cut in 16 KiB pieces,
// rotation with upstream's names and counts, and reading back as the kubelet does (tail, since,
// timestamps only before a line's first piece, limitBytes, follow across a rotation).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { criTime, formatEntry, parseEntry, parseTime, rfc3339Nano } from '../../../../src-main/agent/logs/cri-format.ts';
import { CriLogFile, LineSplitter } from '../../../../src-main/agent/logs/cri-log-file.ts';
import { rotate } from '../../../../src-main/agent/logs/log-rotation.ts';
import { readLog, type LogReadOptions } from '../../../../src-main/agent/logs/log-reader.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kubelab-cri-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const T0 = parseTime('2016-10-06T00:17:09.669794202Z')!;
const sec = 1_000_000_000n;

async function read(path: string, opts: LogReadOptions = {}): Promise<string> {
  const chunks: Buffer[] = [];
  await readLog(path, opts, (c) => void chunks.push(Buffer.from(c)));
  return Buffer.concat(chunks).toString();
}

describe('the CRI format', () => {
  it('writes nine fraction digits and prints RFC3339Nano without trailing zeros', () => {
    expect(criTime(T0)).toBe('2016-10-06T00:17:09.669794202Z');
    expect(criTime(parseTime('2016-10-06T00:17:09.5Z')!)).toBe('2016-10-06T00:17:09.500000000Z');
    expect(rfc3339Nano(parseTime('2016-10-06T00:17:09.500000000Z')!)).toBe('2016-10-06T00:17:09.5Z');
    expect(rfc3339Nano(parseTime('2016-10-06T00:17:09Z')!)).toBe('2016-10-06T00:17:09Z');
    expect(parseTime('2016-10-06T02:17:09.1+02:00')).toBe(parseTime('2016-10-06T00:17:09.100Z'));
  });

  it('round-trips an entry, and reads an untagged old line as whole', () => {
    const line = formatEntry(T0, 'stderr', true, Buffer.from('a b c'));
    expect(line.toString()).toBe('2016-10-06T00:17:09.669794202Z stderr P a b c\n');
    expect(parseEntry(line.subarray(0, -1))).toMatchObject({ ns: T0, stream: 'stderr', partial: true, content: Buffer.from('a b c') });
    expect(parseEntry(Buffer.from('2016-10-06T00:17:09Z stdout hello there'))).toMatchObject({ partial: false, content: Buffer.from('hello there') });
    expect(parseEntry(Buffer.from('not a log line'))).toBeUndefined();
  });

  it('cuts lines longer than 16 KiB into P pieces and keeps a tail for its newline', () => {
    const path = join(dir, '0.log');
    const file = new CriLogFile(path, { maxSize: 1 << 30, maxFiles: 5 });
    const out = new LineSplitter('stdout', file);
    out.push(Buffer.from(`short\n${'y'.repeat(40_000)}`));
    out.push(Buffer.from('\nend of li'));
    out.push(Buffer.from('ne\ntail'));
    out.flush();
    file.close();
    const entries = readFileSync(path, 'utf8').trim().split('\n').map((l) => parseEntry(Buffer.from(l))!);
    expect(entries.map((e) => [e.partial ? 'P' : 'F', e.content.length])).toEqual([['F', 5], ['P', 16384], ['P', 16384], ['F', 7232], ['F', 11], ['F', 4]]);
  });
});

describe('rotation', () => {
  it('renames to <log>.<YYYYMMDD-hhmmss>, gzips all but the newest rotated, keeps maxFiles in all', () => {
    const path = join(dir, '3.log');
    const policy = { maxSize: 100, maxFiles: 3 };
    for (let i = 0; i < 4; i++) {
      writeFileSync(path, `run ${i}\n`);
      rotate(path, policy, new Date(2024, 0, 2, 3, 4, 5 + i));
    }
    writeFileSync(path, 'live\n');
    expect(readdirSync(dir).sort()).toEqual(['3.log', '3.log.20240102-030407.gz', '3.log.20240102-030408']);
    expect(gunzipSync(readFileSync(join(dir, '3.log.20240102-030407.gz'))).toString()).toBe('run 2\n');
    expect(readFileSync(join(dir, '3.log.20240102-030408'), 'utf8')).toBe('run 3\n');
  });

  it('rotates from the writer once the file reaches the size', () => {
    const path = join(dir, '0.log');
    const file = new CriLogFile(path, { maxSize: 200, maxFiles: 4 });
    for (let i = 0; i < 10; i++) file.write('stdout', false, Buffer.from(`line ${i} ${'z'.repeat(40)}`), T0);
    file.close();
    const names = readdirSync(dir);
    expect(names.length).toBe(4);
    expect(names.filter((n) => n.endsWith('.gz')).length).toBe(2);
    expect(readFileSync(path, 'utf8')).toMatch(/ line 9 z+\n$/);
  });
});

describe('reading a log back', () => {
  function sample(): string {
    const path = join(dir, '0.log');
    const entries = [
      formatEntry(T0, 'stdout', false, Buffer.from('first')),
      formatEntry(T0 + 2n * sec, 'stderr', false, Buffer.from('second')),
      formatEntry(T0 + 4n * sec, 'stdout', true, Buffer.from('long ')),
      formatEntry(T0 + 4n * sec, 'stdout', false, Buffer.from('line')),
      formatEntry(T0 + 6n * sec, 'stdout', false, Buffer.from('last')),
    ];
    writeFileSync(path, Buffer.concat(entries));
    return path;
  }

  it('joins pieces, tails by entries, filters by time and cuts at limitBytes', async () => {
    const path = sample();
    expect(await read(path)).toBe('first\nsecond\nlong line\nlast\n');
    expect(await read(path, { tailLines: 2 })).toBe('line\nlast\n');
    expect(await read(path, { tailLines: 0 })).toBe('');
    expect(await read(path, { tailLines: 50 })).toBe('first\nsecond\nlong line\nlast\n');
    expect(await read(path, { sinceNs: T0 + 2n * sec })).toBe('second\nlong line\nlast\n');
    expect(await read(path, { sinceNs: T0 + 2n * sec + 1n })).toBe('long line\nlast\n');
    expect(await read(path, { limitBytes: 8 })).toBe('first\nse');
  });

  it('puts the time before a line, not before the later pieces of a long one', async () => {
    expect(await read(sample(), { timestamps: true, tailLines: 3 })).toBe('2016-10-06T00:17:13.669794202Z long line\n2016-10-06T00:17:15.669794202Z last\n');
  });

  it('follows the file while the container runs, across a rotation, to what came last', async () => {
    const path = join(dir, '0.log');
    // One rotation on the way (lines are ~47 bytes): a follower that is slow, on a busy machine,
    // still reads the old file to its end before the new one; two would lose the middle file.
    const file = new CriLogFile(path, { maxSize: 200, maxFiles: 5 });
    file.write('stdout', false, Buffer.from('before'));
    let running = true;
    const got = read(path, { follow: true, running: () => running, pollMs: 10 });
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 30));
      file.write('stdout', false, Buffer.from(`more ${i}`));
    }
    await new Promise((r) => setTimeout(r, 50));
    file.write('stdout', false, Buffer.from('final'));
    running = false;
    file.close();
    expect(readdirSync(dir).filter((f) => f.startsWith('0.log')).length).toBe(2);
    expect(await got).toBe('before\nmore 0\nmore 1\nmore 2\nmore 3\nmore 4\nmore 5\nfinal\n');
  });
});
