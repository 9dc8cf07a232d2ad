// A shell in a pod's container through the exec API (pods/exec over a WebSocket, the channel
// protocol kubectl ≥ 1.30 speaks): channel 0 is the terminal's input, 1 its output (a tty merges
// stderr), 3 the final Status (the exit code), 4 the terminal's size as {"Width","Height"}.
import type { Pod } from 'kubernetes-types/core/v1';
import type WebSocket from 'ws';
import type { KubeClient } from '../client/kube-client.ts';
import { gvr } from '../client/resources.ts';
import type { Terminal, TerminalEvents, TerminalSize } from './terminal.ts';

export interface PodTarget {
  namespace: string;
  pod: string;
  container?: string;
  command?: string[];
}

/** bash where the image has it, else sh: what people mean by "a shell in the pod". */
export const DEFAULT_POD_SHELL = ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi'];

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const RESIZE = 4;

export class PodExecError extends Error {
  constructor(message: string, readonly code?: number) {
    super(message);
  }
}

export async function openPodShell(client: KubeClient, target: PodTarget, size: TerminalSize, events: TerminalEvents): Promise<Terminal> {
  const command = target.command?.length ? target.command : DEFAULT_POD_SHELL;
  const container = target.container ?? (await defaultContainer(client, target.namespace, target.pod));
  const ws = client.execSocket(target.namespace, target.pod, { command, container, stdin: true, tty: true });
  await opened(ws, `${target.namespace}/${target.pod}`);
  const where = `${target.namespace}/${target.pod}${target.container ? ` (${target.container})` : ''}`;
  const decoder = new TextDecoder('utf-8');
  let status: { exit: number } | { lost: string } | undefined;
  let closed = false;
  const send = (channel: number, data: Buffer | string) => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), typeof data === 'string' ? Buffer.from(data) : data]));
  };
  ws.on('message', (data: Buffer) => {
    const channel = data[0];
    const body = data.subarray(1);
    if ((channel === STDOUT || channel === STDERR) && !closed) events.output(decoder.decode(body, { stream: true }));
    else if (channel === STATUS && body.length > 0) status = statusOf(body.toString(), where);
  });
  ws.on('error', () => undefined);
  ws.on('close', () => {
    if (closed) return;
    closed = true;
    // No Status before the close: the API server, the node or the network went away.
    events.ended(status ?? { lost: `the connection to ${where} was lost` });
  });
  send(RESIZE, JSON.stringify({ Width: size.cols, Height: size.rows }));
  return {
    write: (data) => send(STDIN, data),
    resize: (s) => send(RESIZE, JSON.stringify({ Width: s.cols, Height: s.rows })),
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    close() {
      if (closed) return;
      closed = true;
      // The kubelet ends the command when its client goes.
      ws.close(1000);
      setTimeout(() => ws.terminate(), 2000).unref();
    },
  };
}

/** As kubectl chooses: the kubectl.kubernetes.io/default-container annotation, else the first container. */
async function defaultContainer(client: KubeClient, namespace: string, name: string): Promise<string | undefined> {
  const pod = await client.get<Pod>(gvr.pods, namespace, name);
  const annotated = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
  const names = pod.spec?.containers.map((c) => c.name) ?? [];
  return annotated && names.includes(annotated) ? annotated : names[0];
}

/** Success → 0, NonZeroExitCode → its code; any other Failure (no such container…) is lost with its message. */
function statusOf(text: string, where: string): { exit: number } | { lost: string } {
  try {
    const s = JSON.parse(text) as { status?: string; reason?: string; message?: string; details?: { causes?: { reason?: string; message?: string }[] } };
    if (s.status === 'Success') return { exit: 0 };
    const code = s.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
    if (s.reason === 'NonZeroExitCode' && code !== undefined) return { exit: Number(code) };
    return { lost: `${where}: ${s.message ?? 'the command failed'}` };
  } catch {
    return { lost: `${where}: ${text}` };
  }
}

/** Resolves once the exec is upgraded; rejects with the API server's own message when refused. */
function opened(ws: WebSocket, where: string): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        let message = `${where}: exec refused (HTTP ${res.statusCode})`;
        try {
          message = (JSON.parse(body) as { message?: string }).message ?? message;
        } catch { /* not a Status */ }
        reject(new PodExecError(message, res.statusCode));
      });
      res.on('error', () => reject(new PodExecError(`${where}: exec refused (HTTP ${res.statusCode})`, res.statusCode)));
    });
    ws.once('error', (e) => reject(new PodExecError(`${where}: cannot open an exec (${e.message})`)));
  });
}
