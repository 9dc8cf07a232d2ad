// The client's side of one exec or attach, whatever the protocol: stdin to read, stdout and
// stderr to write, terminal sizes, and the end (the status on the error stream, then the close).
// Over SPDY the client opens one stream per part, named by its streamType header, and the session
// starts once all the request asked for are there; over a WebSocket each part is a channel.
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { TerminalSize } from './exec-process.ts';
import { errorStreamBody, type ExecResult } from './exec-status.ts';
import type { SpdyStream } from './spdy-connection.ts';
import type { Upgraded } from './upgrade.ts';
import { WsChannels } from './ws-channels.ts';

export interface StreamRequest {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface ExecSession {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  /** Emits 'resize' (TerminalSize) and 'close' (the client went away). */
  events: EventEmitter;
  /** Sends the result on the error stream and closes the connection. */
  finish(result: ExecResult, command: string[]): Promise<void>;
}

export const EXEC_PROTOCOLS = {
  websocket: ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v4.base64.channel.k8s.io', 'channel.k8s.io', 'base64.channel.k8s.io'],
  spdy: ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'],
};

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
/** How long the client has to open its SPDY streams, as the kubelet's streamCreationTimeout. */
const STREAM_CREATION_TIMEOUT_MS = 30_000;

/** Reads JSON sizes, one per message or per line (SPDY's resize stream is a json.Encoder's). */
function parseSizes(text: string, emit: (s: TerminalSize) => void): void {
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const s = JSON.parse(line) as { Width?: number; Height?: number };
      if (s.Width && s.Height) emit({ width: s.Width, height: s.Height });
    } catch { /* a malformed size is ignored, as upstream */ }
  }
}

export function execSession(up: Upgraded, req: StreamRequest): Promise<ExecSession> {
  return up.kind === 'websocket' ? Promise.resolve(wsSession(new WsChannels(up.ws, up.protocol), req)) : spdySession(up, req);
}

function wsSession(ch: WsChannels, req: StreamRequest): ExecSession {
  const events = new EventEmitter();
  ch.on('close', () => events.emit('close'));
  if (req.tty) ch.on('message', (channel, data) => channel === RESIZE && parseSizes(data.toString(), (s) => events.emit('resize', s)));
  return {
    stdin: req.stdin ? ch.input(STDIN) : undefined,
    stdout: req.stdout ? ch.output(STDOUT) : undefined,
    stderr: req.stderr && !req.tty ? ch.output(STDERR) : undefined,
    events,
    finish: async (result, command) => {
      const body = errorStreamBody(ch.protocol, result, command);
      if (body) ch.send(ERROR, body);
      ch.close();
    },
  };
}

async function spdySession(up: Extract<Upgraded, { kind: 'spdy' }>, req: StreamRequest): Promise<ExecSession> {
  const { conn, protocol } = up;
  const wanted = ['error'];
  if (req.stdin) wanted.push('stdin');
  if (req.stdout) wanted.push('stdout');
  if (req.stderr && !req.tty) wanted.push('stderr');
  if (req.tty && protocol !== 'v2.channel.k8s.io' && protocol !== 'channel.k8s.io') wanted.push('resize');
  const events = new EventEmitter();
  const streams = new Map<string, SpdyStream>();
  conn.on('close', () => events.emit('close'));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      conn.close();
      reject(new Error(`timed out waiting for client to create streams (have ${[...streams.keys()].join(', ') || 'none'})`));
    }, STREAM_CREATION_TIMEOUT_MS);
    conn.on('close', () => {
      clearTimeout(timer);
      reject(new Error('the client closed the connection before opening its streams'));
    });
    conn.on('stream', (s) => {
      streams.set(s.headers.streamtype ?? '', s);
      s.on('error', () => undefined);
      if (wanted.every((t) => streams.has(t))) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  // One JSON size per line; a line may come in pieces.
  let partial = '';
  streams.get('resize')?.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    parseSizes(lines.join('\n'), (s) => events.emit('resize', s));
  });
  const out = (t: string): SpdyStream | undefined => (wanted.includes(t) ? streams.get(t) : undefined);
  return {
    stdin: out('stdin'), stdout: out('stdout'), stderr: out('stderr'), events,
    finish: async (result, command) => {
      const error = streams.get('error')!;
      const body = errorStreamBody(protocol, result, command);
      if (body) error.write(body);
      // Each FIN must be written before the GOAWAY that ends the connection.
      await Promise.all([error, out('stdout'), out('stderr')].filter((s) => s && !s.writableEnded).map((s) => new Promise<void>((r) => s!.end(r))));
      conn.close();
    },
  };
}
