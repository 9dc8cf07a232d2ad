// Results of the user's actions that are worth a word: failures stay until dismissed, successes
// fade. `act` runs one action with its error shown here, so views need no error plumbing.
export interface Toast {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

class Toasts {
  items = $state<Toast[]>([]);
  #next = 1;

  show(kind: Toast['kind'], text: string): void {
    const toast = { id: this.#next++, kind, text };
    this.items = [...this.items.slice(-4), toast];
    if (kind === 'info') setTimeout(() => this.dismiss(toast.id), 4000);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();

/**
 * Runs an action; on failure shows "<what> failed: <server's message>" and returns undefined.
 * `done` is shown on success when given.
 */
export async function act<T>(what: string, action: () => Promise<T>, done?: string): Promise<T | undefined> {
  try {
    const result = await action();
    if (done) toasts.show('info', done);
    return result;
  } catch (err) {
    toasts.show('error', `${what} failed: ${(err as Error)?.message ?? err}`);
    return undefined;
  }
}
