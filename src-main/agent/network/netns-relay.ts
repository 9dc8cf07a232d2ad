// The relay that dials from inside a network namespace. Node cannot setns, so the node binary
// itself runs under `nsenter` in the namespace — once per namespace, not once per connection:
// starting a process takes longer than a probe's 1 s timeout on a busy machine, and probes dial
// every few seconds. The agent reaches it through a unix socket, which is a path and so is
// reachable from any namespace; each connection's first line names the target ("host port"),
// the relay answers "connected" or the connect error's code, then copies bytes both ways. An idle
// relay exits by itself, and every relay ends with the agent (its stdin closes).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const IDLE_MS = 20_000;
const START_TIMEOUT_MS = 15_000;

const server = `const net = require('net'), fs = require('fs');
const path = process.argv[1], idleMs = +process.argv[2];
let open = 0, idle;
const gone = () => { try { fs.unlinkSync(path); } catch {} };
const arm = () => { clearTimeout(idle); if (open === 0) idle = setTimeout(() => process.exit(0), idleMs); };
gone();
net.createServer({ allowHalfOpen: true }, (c) => {
  open++; clearTimeout(idle);
  c.on('close', () => { open--; arm(); });
  c.on('error', () => c.destroy());
  let head = Buffer.alloc(0);
  const onData = (d) => {
    head = Buffer.concat([head, d]);
    const nl = head.indexOf(10);
    if (nl < 0) return;
    c.off('data', onData);
    c.pause();
    const [host, port] = head.subarray(0, nl).toString().split(' ');
    const rest = head.subarray(nl + 1);
    let connected = false;
    const s = net.connect({ host, port: +port, allowHalfOpen: true });
    s.on('error', (e) => (connected ? c.destroy() : c.end((e.code || e.message) + '\\n')));
    s.once('connect', () => {
      connected = true;
      c.write('connected\\n');
      if (rest.length) s.write(rest);
      c.pipe(s);
      s.pipe(c);
      c.resume();
    });
    c.on('close', () => s.destroy());
  };
  c.on('data', onData);
}).listen(path, () => { process.stdout.write('up\\n'); arm(); });
process.on('exit', gone);
process.stdin.on('end', () => process.exit(0)).resume();`;

interface Relay {
  socketPath: string;
  child: ChildProcess;
}

const relays = new Map<string, Promise<Relay>>();

function startRelay(netnsPath: string): Promise<Relay> {
  const socketPath = join(tmpdir(), `kubelab-relay-${process.pid}-${createHash('sha256').update(netnsPath).digest('hex').slice(0, 12)}.sock`);
  const child = spawn('nsenter', [`--net=${netnsPath}`, '--', process.execPath, '-e', server, socketPath, String(IDLE_MS)], { stdio: ['pipe', 'pipe', 'pipe'] });
  // The relay never keeps the agent alive; it ends when the agent does.
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as Socket).unref();
  const started = new Promise<Relay>((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the relay in ${netnsPath} did not start`));
    }, START_TIMEOUT_MS);
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.once('data', () => {
      clearTimeout(timer);
      resolve({ socketPath, child });
    });
    child.once('error', reject);
    child.once('exit', () => {
      clearTimeout(timer);
      if (relays.get(netnsPath) === started) relays.delete(netnsPath);
      reject(new Error(`the relay in ${netnsPath} exited: ${stderr.trim()}`));
    });
  });
  started.catch(() => undefined);
  return started;
}

/** A TCP stream to host:port from inside the namespace; rejects with the connect error's code. */
export async function dialViaRelay(netnsPath: string, host: string, port: number, timeoutMs: number, retried = false): Promise<Socket> {
  let relay = relays.get(netnsPath);
  if (!relay) relays.set(netnsPath, (relay = startRelay(netnsPath)));
  const { socketPath } = await relay;
  return new Promise((resolve, reject) => {
    const s = connect(socketPath);
    let head = Buffer.alloc(0);
    let reached = false;
    const fail = (e: Error) => {
      clearTimeout(timer);
      s.destroy();
      reject(e);
    };
    const timer = setTimeout(() => fail(Object.assign(new Error(`dial tcp ${host}:${port}: i/o timeout`), { code: 'ETIMEDOUT' })), timeoutMs);
    s.once('connect', () => {
      reached = true;
      s.write(`${host} ${port}\n`);
    });
    const onError = (e: Error & { code?: string }) => {
      // The relay went idle and exited just now: start another, once.
      if (!reached && !retried && (e.code === 'ENOENT' || e.code === 'ECONNREFUSED')) {
        clearTimeout(timer);
        if (relays.get(netnsPath) === relay) relays.delete(netnsPath);
        dialViaRelay(netnsPath, host, port, timeoutMs, true).then(resolve, reject);
        return;
      }
      fail(e);
    };
    const onEnd = () => fail(Object.assign(new Error(`dial tcp ${host}:${port}: relay closed`), { code: 'ECONNRESET' }));
    // The answer is read in paused mode, so that the caller gets the stream as a fresh one: its
    // first 'data' listener starts the flow and nothing is lost in between.
    const onReadable = () => {
      for (let chunk = s.read() as Buffer | null; chunk !== null; chunk = s.read() as Buffer | null) {
        head = Buffer.concat([head, chunk]);
        const nl = head.indexOf(10);
        if (nl < 0) continue;
        s.off('readable', onReadable);
        const answer = head.subarray(0, nl).toString();
        if (answer !== 'connected') return fail(Object.assign(new Error(`dial tcp ${host}:${port}: ${answer}`), { code: answer }));
        clearTimeout(timer);
        s.off('error', onError).off('end', onEnd);
        // What the peer sent with the answer belongs to the stream.
        if (head.length > nl + 1) s.unshift(head.subarray(nl + 1));
        return resolve(s);
      }
    };
    s.on('readable', onReadable).on('error', onError).on('end', onEnd);
  });
}

/** Stops the namespace's relay (the kubelet's stop; tests). */
export function closeRelay(netnsPath: string): void {
  const relay = relays.get(netnsPath);
  relays.delete(netnsPath);
  void relay?.then(({ child, socketPath }) => {
    child.kill('SIGKILL');
    rmSync(socketPath, { force: true });
  }, () => undefined);
}
