// The renderer's side of one terminal stream, for the terminal tests: a bridge Session (as one
// connected window) calling openTerminal, collecting the output, the prompts and how it ended.
import { expect } from 'vitest';
import type { TerminalInput, TerminalOutput, TerminalTarget } from '../../../src-main/bridge/api/terminals.ts';
import type { StreamEvent } from '../../../src-main/bridge/protocol.ts';
import { terminalServices } from '../../../src-main/bridge/services/terminals.ts';
import type { ServiceDeps } from '../../../src-main/bridge/services/deps.ts';
import { Session } from '../../../src-main/bridge/session.ts';

export class TerminalClient {
  out = '';
  exit: number | undefined;
  /** Set when the stream ended: the error, or '' for a normal end. */
  ended: string | undefined;
  prompts: Extract<TerminalOutput, { type: 'prompt' }>[] = [];
  readonly session: Session;
  stream = 0;
  private acked = 0;
  /** Off: the screen stops taking output (a busy renderer), to see the shell held back. */
  acknowledging = true;

  private constructor() {
    this.session = new Session((event) => this.handle(event as StreamEvent));
  }

  static async open(deps: ServiceDeps, target: TerminalTarget, size = { cols: 80, rows: 24 }, onPrompt?: (p: Extract<TerminalOutput, { type: 'prompt' }>, c: TerminalClient) => void): Promise<TerminalClient> {
    const c = new TerminalClient();
    c.onPrompt = onPrompt;
    const { stream } = await terminalServices(deps).openTerminal.run({ target, ...size }, { session: c.session });
    c.stream = stream;
    return c;
  }

  private onPrompt: ((p: Extract<TerminalOutput, { type: 'prompt' }>, c: TerminalClient) => void) | undefined;

  private handle(event: StreamEvent): void {
    if (event.type === 'stream-end') {
      this.ended = event.error ?? '';
      return;
    }
    const m = event.message as TerminalOutput;
    if (m.type === 'output') {
      this.out += m.data;
      // The screen keeps up: everything is acknowledged at once.
      if (this.acknowledging) this.send({ type: 'ack', chars: this.out.length - this.acked });
      if (this.acknowledging) this.acked = this.out.length;
    } else if (m.type === 'exit') this.exit = m.code;
    else if (m.type === 'prompt') {
      this.prompts.push(m);
      this.onPrompt?.(m, this);
    }
  }

  send(message: TerminalInput): void {
    // Through the same path streamSend takes.
    setImmediate(() => this.session.sendToStream(this.stream, message));
  }

  type(text: string): void {
    this.send({ type: 'input', data: text });
  }

  async until(text: string | RegExp, timeoutMs = 20_000): Promise<void> {
    const has = () => (typeof text === 'string' ? this.out.includes(text) : text.test(this.out));
    for (const deadline = Date.now() + timeoutMs; !has() && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 25));
    expect(this.out, `waiting for ${String(text)}`).toSatisfy(has);
  }

  async untilEnded(timeoutMs = 20_000): Promise<string> {
    for (const deadline = Date.now() + timeoutMs; this.ended === undefined && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 25));
    expect(this.ended, 'the stream should have ended').toBeDefined();
    return this.ended!;
  }

  /** The renderer closes the tab. */
  close(): void {
    this.session.closeStream(this.stream);
  }
}
