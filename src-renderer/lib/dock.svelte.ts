// The dock under the views: terminal tabs that stay open while the user moves between views.
// Each tab holds its TerminalSession (the connection); the dock's components hold the screens.
// The dock's height is kept across restarts; it can be maximised over the view or collapsed
// to its tab strip.
import type { TerminalTarget } from '../../src-main/bridge/api/terminals.ts';
import { TerminalSession } from './terminal-session.svelte.ts';

export type { TerminalTarget } from '../../src-main/bridge/api/terminals.ts';

export interface DockTab {
  id: number;
  title: string;
  target: TerminalTarget;
  session: TerminalSession;
}

const HEIGHT_KEY = 'kubelab.dock.height';
export const MIN_DOCK_HEIGHT = 120;

function savedHeight(): number {
  const saved = Number(globalThis.localStorage?.getItem(HEIGHT_KEY));
  return Number.isFinite(saved) && saved >= MIN_DOCK_HEIGHT ? saved : 300;
}

class Dock {
  tabs = $state.raw<DockTab[]>([]);
  active = $state<number | undefined>();
  /** The terminal area's height in CSS pixels (without the tab strip). */
  height = $state(savedHeight());
  maximised = $state(false);
  collapsed = $state(false);
  #next = 1;

  open(target: TerminalTarget, title: string): DockTab {
    const tab = { id: this.#next++, title: this.#unique(title), target, session: new TerminalSession(target) };
    this.tabs = [...this.tabs, tab];
    this.active = tab.id;
    this.collapsed = false;
    return tab;
  }

  /** Closing a tab ends its session (the shell on the other side). */
  close(id: number): void {
    this.tabs.find((t) => t.id === id)?.session.dispose();
    const index = this.tabs.findIndex((t) => t.id === id);
    this.tabs = this.tabs.filter((t) => t.id !== id);
    if (this.active === id) this.active = (this.tabs[index] ?? this.tabs.at(-1))?.id;
    if (this.tabs.length === 0) this.maximised = false;
  }

  select(id: number): void {
    this.active = id;
    this.collapsed = false;
  }

  /** "Local shell", "Local shell 2", …: tabs stay tellable apart. */
  #unique(title: string): string {
    const taken = new Set(this.tabs.map((t) => t.title));
    let n = 1;
    while (taken.has(n === 1 ? title : `${title} ${n}`)) n++;
    return n === 1 ? title : `${title} ${n}`;
  }

  setHeight(px: number): void {
    this.height = Math.max(MIN_DOCK_HEIGHT, Math.round(px));
    globalThis.localStorage?.setItem(HEIGHT_KEY, String(this.height));
  }
}

export const dock = new Dock();

/** The title a terminal tab gets by default. */
export function terminalTitle(target: TerminalTarget): string {
  switch (target.type) {
    case 'local': return 'Local shell';
    case 'node': return `node/${target.node}`;
    case 'pod': return `${target.pod}${target.container ? `:${target.container}` : ''}`;
  }
}
