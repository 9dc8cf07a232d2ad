// The dock under the views: terminal tabs that stay open while the user moves between views.
// A tab says what to connect to; the dock's components own the connection.
export type TerminalTarget =
  | { type: 'node'; node: string }
  | { type: 'pod'; namespace: string; pod: string; container?: string; command?: string[] }
  | { type: 'local' };

export interface DockTab {
  id: number;
  title: string;
  target: TerminalTarget;
}

class Dock {
  tabs = $state<DockTab[]>([]);
  active = $state<number | undefined>();
  #next = 1;

  open(target: TerminalTarget, title: string): DockTab {
    const tab = { id: this.#next++, title, target };
    this.tabs = [...this.tabs, tab];
    this.active = tab.id;
    return tab;
  }

  close(id: number): void {
    this.tabs = this.tabs.filter((t) => t.id !== id);
    if (this.active === id) this.active = this.tabs.at(-1)?.id;
  }
}

export const dock = new Dock();
