// The agent's /exec/{namespace}/{pod}/{container} (and /exec/{namespace}/{pod}/{uid}/{container},
// as the kubelet): the query says the command (one `command` per argument) and which of stdin,
// stdout, stderr and tty the client wants (the kubelet's input/output/error names, or the
// API's stdin/stdout/stderr); the connection is upgraded and the command runs with `runc exec`.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { OciRuntime } from '../runtime/oci-runtime.ts';
import { startExec } from './exec-process.ts';
import { EXEC_PROTOCOLS, execSession, type ExecSession, type StreamRequest } from './exec-session.ts';
import type { StreamLookup } from './stream-lookup.ts';
import type { UpgradeHandler } from '../server/routes.ts';
import { refuse, upgrade } from './upgrade.ts';

export interface StreamTarget {
  namespace: string;
  pod: string;
  container: string;
}


const truthy = (q: URLSearchParams, ...names: string[]): boolean => names.some((n) => ['1', 'true', 'True'].includes(q.get(n) ?? ''));

/** The target and the streams asked for, or an error message for a 400. */
export function parseStreamRequest(req: IncomingMessage, verb: string): { target: StreamTarget; query: URLSearchParams; streams: StreamRequest } | string {
  const url = new URL(req.url ?? '/', 'http://agent');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== verb || parts.length < 4 || parts.length > 5) return `expected /${verb}/{namespace}/{pod}/{container}`;
  const q = url.searchParams;
  const streams = {
    stdin: truthy(q, 'stdin', 'input'),
    stdout: truthy(q, 'stdout', 'output'),
    stderr: truthy(q, 'stderr', 'error'),
    tty: truthy(q, 'tty'),
  };
  if (!streams.stdin && !streams.stdout && !streams.stderr) return 'you must specify at least 1 of stdin, stdout, stderr';
  return { target: { namespace: parts[1]!, pod: parts[2]!, container: parts.at(-1)! }, query: q, streams };
}

/** Parses, finds the running container and upgrades; undefined when it answered with an error. */
export async function openSession(req: IncomingMessage, socket: Duplex, head: Buffer, verb: string, lookup: StreamLookup): Promise<{ id: string; session: ExecSession; query: URLSearchParams; streams: StreamRequest; target: StreamTarget } | undefined> {
  const parsed = parseStreamRequest(req, verb);
  if (typeof parsed === 'string') return void refuse(socket, 400, 'Bad Request', parsed);
  const { target } = parsed;
  const id = lookup.runningContainer(target.namespace, target.pod, target.container);
  if (!id) return void refuse(socket, 404, 'Not Found', `container not found ("${target.container}")`);
  const up = await upgrade(req, socket, head, EXEC_PROTOCOLS);
  if (!up) return undefined;
  try {
    return { id, session: await execSession(up, parsed.streams), ...parsed };
  } catch {
    return undefined; // the client never opened its streams; the connection is closed
  }
}

export function execHandler(runtime: OciRuntime, lookup: StreamLookup): UpgradeHandler {
  return async (req, socket, head) => {
    const opened = await openSession(req, socket, head, 'exec', lookup);
    if (!opened) return;
    const { id, session, query, streams } = opened;
    const command = query.getAll('command');
    const proc = startExec(runtime, id, command, streams.tty);
    if (session.stdin) session.stdin.pipe(proc.stdin);
    else if (!streams.tty) proc.stdin.end(); // (a terminal's end of input would end the shell)
    if (session.stdout) proc.stdout.pipe(session.stdout, { end: false });
    else proc.stdout.resume();
    if (session.stderr) proc.stderr.pipe(session.stderr, { end: false });
    else proc.stderr.resume();
    session.events.on('resize', (s) => proc.resize(s));
    session.events.on('close', () => proc.terminate());
    const result = await proc.done;
    if (result.runtimeMessage) (session.stderr ?? session.stdout)?.write(`OCI runtime exec failed: ${result.runtimeMessage}: unknown\n`);
    await session.finish(result, command);
  };
}
