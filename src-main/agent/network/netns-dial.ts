// A TCP connection made from inside a network namespace: port-forward connects to localhost in
// the pod's namespace (as containerd does), and probes connect to the pod's IP from the node's
// namespace, which in the tests' shared-machine mode (--cni-netns) is not the agent's own.
// Node cannot setns, so a tiny relay (the node binary itself, `node -e`) runs under `nsenter`
// and copies the socket to its stdio; without a namespace this is a plain net.connect.
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';

/** The relay: exits 3 with the error code on stderr when the connection fails. */
const relay = `const s=require('net').connect(+process.argv[2],process.argv[1]);
s.on('connect',()=>{process.stderr.write('connected\\n');process.stdin.pipe(s);s.pipe(process.stdout);});
s.on('error',(e)=>{process.stderr.write((e.code||e.message)+'\\n');process.exit(3);});
s.on('close',()=>process.exit(0));process.stdin.on('end',()=>s.end());`;

export interface DialOptions {
  /** A path like /run/netns/NAME; undefined dials from the agent's own namespace. */
  netnsPath?: string;
  timeoutMs?: number;
}

/** Resolves once connected; rejects with the connection's error code (ECONNREFUSED, …). */
export function dialTCP(host: string, port: number, opts: DialOptions = {}): Promise<Duplex> {
  return opts.netnsPath ? dialInNetns(opts.netnsPath, host, port, opts.timeoutMs ?? 10_000) : dialHere(host, port, opts.timeoutMs ?? 10_000);
}

function dialHere(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.setTimeout(0);
      resolve(socket);
    });
    socket.once('timeout', () => socket.destroy(Object.assign(new Error(`dial tcp ${host}:${port}: i/o timeout`), { code: 'ETIMEDOUT' })));
    socket.once('error', reject);
  });
}

function dialInNetns(netnsPath: string, host: string, port: number, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [`--net=${netnsPath}`, '--', process.execPath, '-e', relay, host, String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let settled = false;
    const timer = setTimeout(() => fail(Object.assign(new Error(`dial tcp ${host}:${port}: i/o timeout`), { code: 'ETIMEDOUT' })), timeoutMs);
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    child.once('error', fail);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!settled && stderr.startsWith('connected\n')) {
        settled = true;
        clearTimeout(timer);
        resolve(relayStream(child.stdin, child.stdout, () => child.kill('SIGKILL')));
      }
    });
    child.once('exit', () => {
      const code = stderr.trim().split('\n').at(-1) ?? 'relay exited';
      fail(Object.assign(new Error(`dial tcp ${host}:${port}: ${code}`), { code }));
    });
  });
}

/** One duplex over the relay's stdin (to the peer) and stdout (from it). */
function relayStream(toPeer: NodeJS.WritableStream, fromPeer: NodeJS.ReadableStream, kill: () => void): Duplex {
  const stream = new Duplex({
    write(chunk, _enc, cb) {
      toPeer.write(chunk, cb);
    },
    final(cb) {
      toPeer.end();
      cb();
    },
    read() {
      (fromPeer as NodeJS.ReadableStream & { resume(): void }).resume();
    },
    destroy(err, cb) {
      kill();
      cb(err);
    },
  });
  fromPeer.on('data', (d: Buffer) => {
    if (!stream.push(d)) (fromPeer as NodeJS.ReadableStream & { pause(): void }).pause();
  });
  fromPeer.on('end', () => stream.push(null));
  return stream;
}
