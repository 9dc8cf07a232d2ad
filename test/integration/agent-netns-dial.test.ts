// dialTCP from inside a network namespace reaches what listens on that namespace's loopback
// (unreachable from the host's), passes data both ways, and fails with the connection's error.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialTCP } from '../../src-main/agent/network/netns-dial.ts';
import { closeRelay } from '../../src-main/agent/network/netns-relay.ts';

const netns = `kldial-${process.pid}`;
const port = 18081;
let echo: ChildProcess;

beforeAll(async () => {
  execFileSync('ip', ['netns', 'add', netns]);
  execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
  const server = `require('net').createServer((s)=>s.pipe(s)).listen(${port},'127.0.0.1',()=>console.log('up'))`;
  echo = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', server], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => echo.stdout!.once('data', r));
});

afterAll(() => {
  closeRelay(`/run/netns/${netns}`);
  echo?.kill('SIGKILL');
  execFileSync('ip', ['netns', 'del', netns]);
});

const roundTrip = (s: NodeJS.ReadWriteStream, text: string) => new Promise<string>((resolve) => {
  let got = '';
  s.on('data', (d: Buffer) => {
    got += d.toString();
    if (got.length >= text.length) resolve(got);
  });
  s.write(text);
});

describe('dialTCP', () => {
  it('connects to a loopback listener inside the namespace, both ways', async () => {
    const s = await dialTCP('127.0.0.1', port, { netnsPath: `/run/netns/${netns}` });
    expect(await roundTrip(s, 'hello from the host')).toBe('hello from the host');
    s.destroy();
  });

  it('reports a refused connection by its code, and the host loopback does not have the listener', async () => {
    await expect(dialTCP('127.0.0.1', port + 1, { netnsPath: `/run/netns/${netns}` })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(dialTCP('127.0.0.1', port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
