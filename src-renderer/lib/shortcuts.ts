// The app's keyboard shortcuts, decided from a keydown event: Ctrl/Cmd+K or Ctrl+Shift+P for
// the palette, ? for the help, / for the current view's search, a view's single key to go there,
// Escape to close an overlay. Keys typed into a field, the editor (Monaco) or a terminal (xterm)
// are theirs: only the palette keys are taken from plain fields, and nothing from Monaco or
// xterm (Ctrl+K is a chord there, and kills a line in a shell).
import { VIEWS } from './views.ts';

export type Shortcut =
  | { type: 'palette' }
  | { type: 'help' }
  | { type: 'search' }
  | { type: 'close' }
  | { type: 'view'; view: string };

type KeyEventLike = Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'> & { target: EventTarget | null };

// Fields that take typed keys (a checkbox or a button does not).
const FIELDS = 'input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit]), textarea, select, [contenteditable]:not([contenteditable="false"])';
const EMBEDDED = '.monaco-editor, .xterm';

function closest(target: EventTarget | null, selector: string): boolean {
  const el = target as { closest?: (s: string) => unknown } | null;
  return typeof el?.closest === 'function' && !!el.closest(selector);
}

export function shortcutFor(e: KeyEventLike): Shortcut | undefined {
  if (closest(e.target, EMBEDDED)) return undefined;
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.toLowerCase();
  if ((mod && !e.shiftKey && !e.altKey && key === 'k') || (e.ctrlKey && e.shiftKey && key === 'p')) return { type: 'palette' };
  if (e.key === 'Escape') return { type: 'close' };
  if (mod || e.altKey || closest(e.target, FIELDS)) return undefined;
  if (e.key === '?') return { type: 'help' };
  if (e.key === '/') return { type: 'search' };
  const view = VIEWS.find((v) => v.key === e.key);
  return view ? { type: 'view', view: view.id } : undefined;
}
