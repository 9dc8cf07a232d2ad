// openTerminal: one of the three terminals (../../terminals/) on a stream. Input, resizes, acks
// and prompt answers come in through streamSend; output goes out as it comes, coalesced per
// few milliseconds, and the shell stops being read while the screen is far behind (the flow
// control VS Code's terminals use). The stream ends with the shell or with the lost connection,
// and closing the stream (or the renderer going away) ends the shell: nothing is left running.
import type { TerminalInput, TerminalMethods, TerminalOutput, TerminalTarget } from '../api/terminals.ts';
import { TERMINAL_MAX_UNACKED_CHARS } from '../api/terminals.ts';
import * as check from '../check.ts';
import type { MethodTable } from '../method.ts';
import { ServiceError } from '../service-error.ts';
import type { StreamHandle, StreamSink } from '../session.ts';
import { openLocalShell } from '../../terminals/local-shell.ts';
import { openNodeShell } from '../../terminals/node-shell.ts';
import { openPodShell } from '../../terminals/pod-exec.ts';
import type { Terminal, TerminalEvents, TerminalPrompts, TerminalSize } from '../../terminals/terminal.ts';
import type { ServiceDeps } from './deps.ts';

const OUTPUT_COALESCE_MS = 4;
const MAX_COMMAND_ARGS = 64;

export function terminalServices(deps: ServiceDeps): MethodTable<keyof TerminalMethods> {
  return {
    openTerminal: {
      check(value) {
        const p = check.params(value, 'openTerminal');
        return { target: terminalTarget(p.target), cols: check.integer(p, 'cols', 'openTerminal', 2, 1000), rows: check.integer(p, 'rows', 'openTerminal', 1, 500) };
      },
      run({ target, cols, rows }, { session }) {
        return session.openStream((handle) => startTerminal(deps, target, { cols, rows }, handle));
      },
    },
  };
}

function terminalTarget(value: unknown): TerminalTarget {
  const m = 'openTerminal: target';
  const p = check.params(value, m);
  const type = check.oneOf(p, 'type', m, ['node', 'pod', 'local'] as const);
  if (type === 'local') return { type };
  if (type === 'node') return { type, node: check.name(p, 'node', m) };
  const container = check.optionalName(p, 'container', m);
  const command = p.command === undefined ? undefined : commandOf(p.command);
  return { type, namespace: check.name(p, 'namespace', m), pod: check.name(p, 'pod', m), ...(container ? { container } : {}), ...(command ? { command } : {}) };
}

function commandOf(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_COMMAND_ARGS || !value.every((a) => typeof a === 'string' && a.length <= 4096)) {
    throw new ServiceError(`openTerminal: target.command must be a list of 1 to ${MAX_COMMAND_ARGS} strings`, 400);
  }
  return value as string[];
}

async function startTerminal(deps: ServiceDeps, target: TerminalTarget, size: TerminalSize, handle: StreamHandle): Promise<StreamSink> {
  let terminal: Terminal | undefined;
  const push = (message: TerminalOutput) => handle.push(message);
  const output = outputPump(push, () => terminal?.pause());
  const prompts = promptsOver(push);
  const events: TerminalEvents = {
    output: (text) => output.add(text),
    ended(end) {
      output.flush();
      prompts.cancelAll();
      if ('exit' in end) {
        push({ type: 'exit', code: end.exit });
        handle.end();
      } else handle.end(end.lost);
    },
  };
  // What is typed (and the last size) while a node's connection is still being made.
  let early: { input: (string | Buffer)[]; size?: TerminalSize } | undefined = { input: [] };
  const write = (data: string | Buffer) => (terminal ? terminal.write(data) : early && early.input.length < 1000 && early.input.push(data));
  const resize = (s: TerminalSize) => (terminal ? terminal.resize(s) : early && (early.size = s));
  const ready = (t: Terminal) => {
    terminal = t;
    for (const data of early?.input ?? []) t.write(data);
    if (early?.size) t.resize(early.size);
    early = undefined;
  };
  const sink: StreamSink = {
    receive(message) {
      const input = message as TerminalInput;
      if (!input || typeof input !== 'object') return;
      if (input.type === 'answer' && typeof input.id === 'number') prompts.answer(input.id, typeof input.value === 'string' ? input.value : null);
      else if (input.type === 'input' && typeof input.data === 'string' && input.data.length <= 1 << 20) {
        write(input.binary ? Buffer.from(input.data, 'latin1') : input.data);
      } else if (input.type === 'resize' && validSize(input)) resize({ cols: input.cols, rows: input.rows });
      else if (input.type === 'ack' && typeof input.chars === 'number' && output.ack(input.chars)) terminal?.resume();
    },
    close() {
      prompts.cancelAll();
      output.stop();
      terminal?.close();
    },
  };
  switch (target.type) {
    case 'local':
      ready(openLocalShell({ size, kubeconfigPath: deps.kubeconfigPath }, events));
      break;
    case 'node':
      // Asked while the stream is already open: the prompts travel on it.
      void openNodeShell(deps.dataDir, target.node, size, events, prompts, deps.sshSecrets).then(
        (t) => { if (handle.ended) t.close(); else ready(t); },
        (e: Error) => handle.end(e.message),
      );
      break;
    case 'pod':
      ready(await openPodShell(deps.client, target, size, events));
      break;
  }
  return sink;
}

function validSize(s: { cols?: unknown; rows?: unknown }): s is TerminalSize {
  return Number.isInteger(s.cols) && Number.isInteger(s.rows) && (s.cols as number) >= 2 && (s.cols as number) <= 1000 && (s.rows as number) >= 1 && (s.rows as number) <= 500;
}

/** Output batched per few ms; counts what the screen has not acknowledged and pauses past the mark. */
function outputPump(push: (m: TerminalOutput) => void, pause: () => void) {
  let buffered = '';
  let timer: NodeJS.Timeout | undefined;
  let unacked = 0;
  let paused = false;
  let stopped = false;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (buffered && !stopped) push({ type: 'output', data: buffered });
    buffered = '';
  };
  return {
    add(text: string) {
      if (stopped || !text) return;
      buffered += text;
      unacked += text.length;
      if (unacked > TERMINAL_MAX_UNACKED_CHARS && !paused) {
        paused = true;
        pause();
      }
      timer ??= setTimeout(flush, OUTPUT_COALESCE_MS);
    },
    flush,
    /** True when reading may resume. */
    ack(chars: number): boolean {
      unacked = Math.max(0, unacked - chars);
      if (paused && unacked < TERMINAL_MAX_UNACKED_CHARS / 2) {
        paused = false;
        return true;
      }
      return false;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** Prompts as stream messages, answered by `answer` messages; all cancelled when the stream ends. */
function promptsOver(push: (m: TerminalOutput) => void): TerminalPrompts & { answer(id: number, value: string | null): void; cancelAll(): void } {
  let next = 1;
  const waiting = new Map<number, (value: string | null) => void>();
  const ask = (kind: 'secret' | 'confirm', message: string) => new Promise<string | null>((resolve) => {
    const id = next++;
    waiting.set(id, resolve);
    push({ type: 'prompt', id, kind, message });
  });
  return {
    secret: async (message) => (await ask('secret', message)) ?? undefined,
    confirm: async (message) => (await ask('confirm', message)) === 'yes',
    answer(id, value) {
      const resolve = waiting.get(id);
      waiting.delete(id);
      resolve?.(value);
    },
    cancelAll() {
      for (const resolve of waiting.values()) resolve(null);
      waiting.clear();
    },
  };
}
