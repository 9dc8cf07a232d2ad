// Client-side helpers of the exec / port-forward tests: kubectl in a terminal (script(1), so
// that `-t` gets one, of a known size, resized on the way), a free local port, and a TCP exchange through a
// forwarded port.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import type { Kubectl } from './kubectl.ts';

export interface TerminalSteps {
  /** Typing (and resizing) waits for this in the output; without it, for a second and a half. */
  after?: RegExp;
  /** The terminal's new size before the typing (kubectl sees a SIGWINCH). */
  resize?: { rows: number; cols: number };
}

/** kubectl with a 33x111 terminal on its stdin; `input` is typed as a person would, later. */
export function inTerminal(k: Kubectl, args: string[], input: string, steps: TerminalSteps = {}): Promise<{ code: number; out: string }> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const line = ['stty rows 33 cols 111;', quote(k.bin), '--kubeconfig', quote(k.kubeconfig), ...args.map(quote)].join(' ');
  const child = spawn('script', ['-q', '-e', '-c', line, '/dev/null'], { env: { PATH: process.env.PATH, HOME: k.home, LANG: 'C' } });
  let out = '';
  let ended = false;
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const type = async (): Promise<void> => {
    const deadline = Date.now() + (steps.after ? 20_000 : 1500);
    while (!ended && Date.now() < deadline && !steps.after?.test(out)) await new Promise((r) => setTimeout(r, 50));
    if (ended) return;
    if (steps.resize) {
      // The shell script(1) started holds the terminal as its stdin.
      const shell = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0];
      execFileSync('stty', ['-F', readlinkSync(`/proc/${shell}/fd/0`), 'rows', String(steps.resize.rows), 'cols', String(steps.resize.cols)]);
      await new Promise((r) => setTimeout(r, 500));
    }
    child.stdin.write(input);
  };
  void type();
  return new Promise((r) => child.on('close', (code) => {
    ended = true;
    r({ code: code ?? -1, out });
  }));
}

export function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => r(port));
    });
  });
}

/** Sends `text` on a new connection and reads until `until` says so, or the peer closes. */
export function exchange(port: number, text: string, until: (got: string) => boolean): Promise<{ got: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    socket.on('connect', () => socket.write(text));
    socket.on('data', (d) => {
      got += d.toString();
      if (until(got)) resolve({ got, socket });
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ got, socket }));
  });
}
