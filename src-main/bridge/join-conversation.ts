// The questions a join asks the person at the wizard, over its stream: one question open at a
// time, the answer matched by its type (anything else the renderer sends is ignored), and a
// cancel (the stream closed) that answers every open question "no" and stops the join at its
// next step, so the join's own rollback takes back what it wrote.
import type { JoinAnswer, JoinMessage } from './api/node-join.ts';
import type { StepEvent } from '../provision/progress.ts';

export class JoinCancelled extends Error {
  constructor() {
    super('the join was cancelled');
  }
}

type Question = Extract<JoinMessage, { type: 'host-key' | 'packages' }>;

export class JoinConversation {
  #cancelled = false;
  #open: { type: Question['type']; resolve: (yes: boolean) => void } | undefined;

  constructor(readonly push: (message: JoinMessage) => void) {}

  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** Asks the renderer; resolves with its yes or no ("no" when the stream closes first). */
  ask(question: Question): Promise<boolean> {
    if (this.#cancelled) return Promise.resolve(false);
    this.#open?.resolve(false);
    return new Promise((resolve) => {
      this.#open = { type: question.type, resolve };
      this.push(question);
    });
  }

  /** A message from the renderer (untrusted). */
  receive(message: unknown): void {
    const answer = message as Partial<JoinAnswer> | null;
    const open = this.#open;
    if (!open || !answer || typeof answer !== 'object' || answer.type !== open.type) return;
    const yes = open.type === 'host-key' ? (answer as { trust?: unknown }).trust : (answer as { install?: unknown }).install;
    if (typeof yes !== 'boolean') return;
    this.#open = undefined;
    open.resolve(yes);
  }

  cancel(): void {
    this.#cancelled = true;
    this.#open?.resolve(false);
    this.#open = undefined;
  }

  /**
   * The join's progress listener: each step goes to the renderer; after a cancel, the next step
   * that would start throws instead, except the cleanup (the token must still go).
   */
  readonly report = (e: StepEvent): void => {
    if (this.#cancelled && e.status === 'started' && e.step !== 'cleanup') throw new JoinCancelled();
    this.push({ type: 'step', step: { step: e.step, status: e.status, ...(e.durationMs !== undefined ? { durationMs: e.durationMs } : {}), ...(e.detail ? { detail: e.detail } : {}) } });
  };
}
