// One terminal tab's connection to its shell (see openTerminal in src-main/bridge/api/terminals.ts):
// opens the stream at the screen's size, carries typing and resizes, acknowledges output as the
// screen takes it, answers prompts, and says how it ended. Reconnect opens a new session on the
// same screen.
import { TERMINAL_ACK_CHARS, type TerminalOutput, type TerminalTarget } from '../../src-main/bridge/api/terminals.ts';
import type { OpenStream, Streams } from './streams.ts';

/** What the session draws on: the tab's xterm. `done` runs once the text is on the screen. */
export interface TerminalScreen {
  write(text: string, done?: () => void): void;
}

export type SessionState = 'idle' | 'connecting' | 'open' | 'exited' | 'lost';
export type Prompt = Extract<TerminalOutput, { type: 'prompt' }>;

export class TerminalSession {
  state = $state<SessionState>('idle');
  /** Why it ended or could not start. */
  message = $state<string | undefined>();
  exitCode = $state<number | undefined>();
  prompt = $state<Prompt | undefined>();
  readonly target: TerminalTarget;
  #stream: OpenStream | undefined;
  #screen: TerminalScreen | undefined;
  #streams: Streams | undefined;
  #size = { cols: 80, rows: 24 };
  #generation = 0;
  #unacked = 0;
  #disposed = false;

  constructor(target: TerminalTarget) {
    this.target = target;
  }

  attach(screen: TerminalScreen, streams: Streams): void {
    this.#screen = screen;
    this.#streams = streams;
  }

  /** Opens a new session at this size (also Reconnect's). */
  async connect(size = this.#size): Promise<void> {
    if (this.#disposed || !this.#streams) return;
    this.#stream?.close();
    this.#stream = undefined;
    this.#size = size;
    const generation = ++this.#generation;
    const mine = () => generation === this.#generation && !this.#disposed;
    this.state = 'connecting';
    this.message = undefined;
    this.exitCode = undefined;
    this.prompt = undefined;
    this.#unacked = 0;
    try {
      const stream = await this.#streams.open<TerminalOutput>('openTerminal', { target: this.target, ...size }, {
        message: (m) => { if (mine()) this.#receive(m); },
        end: (error) => { if (mine()) this.#ended(error); },
      });
      if (!mine()) return stream.close();
      this.#stream = stream;
      if (this.state === 'connecting') this.state = 'open';
    } catch (e) {
      if (!mine()) return;
      this.state = 'lost';
      this.message = (e as Error).message;
    }
  }

  input(data: string, binary = false): void {
    if (this.state === 'open' && !this.prompt) this.#stream?.send({ type: 'input', data, ...(binary ? { binary } : {}) });
  }

  resize(cols: number, rows: number): void {
    this.#size = { cols, rows };
    this.#stream?.send({ type: 'resize', cols, rows });
  }

  /** The user's answer to the prompt; null cancels. */
  answer(value: string | null): void {
    const p = this.prompt;
    if (!p) return;
    this.prompt = undefined;
    this.#stream?.send({ type: 'answer', id: p.id, value });
  }

  dispose(): void {
    this.#disposed = true;
    this.#stream?.close();
    this.#stream = undefined;
  }

  #receive(m: TerminalOutput): void {
    if (this.state === 'connecting') this.state = 'open';
    switch (m.type) {
      case 'output':
        this.#screen?.write(m.data, () => this.#taken(m.data.length));
        break;
      case 'prompt':
        this.prompt = m;
        break;
      case 'exit':
        this.exitCode = m.code;
        break;
    }
  }

  #taken(chars: number): void {
    this.#unacked += chars;
    if (this.#unacked >= TERMINAL_ACK_CHARS) {
      this.#stream?.send({ type: 'ack', chars: this.#unacked });
      this.#unacked = 0;
    }
  }

  #ended(error: string | undefined): void {
    this.#stream = undefined;
    this.prompt = undefined;
    if (this.exitCode !== undefined && !error) {
      this.state = 'exited';
      this.#screen?.write(`\r\n\x1b[2m[process exited with code ${this.exitCode}]\x1b[0m\r\n`);
    } else {
      this.state = 'lost';
      this.message = error ?? 'the session ended';
      this.#screen?.write(`\r\n\x1b[2m[${this.message}]\x1b[0m\r\n`);
    }
  }
}
