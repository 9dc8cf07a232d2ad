// xterm.js and its fit addon, loaded on the first terminal so they are not in the start-up chunk.
export async function loadXterm() {
  const [{ Terminal }, { FitAddon }] = await Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit'), import('@xterm/xterm/css/xterm.css')]);
  return { Terminal, FitAddon };
}

/** The terminal's colours from the app's CSS variables, so it follows light and dark. */
export function terminalTheme(el: Element) {
  const css = getComputedStyle(el);
  const v = (name: string) => css.getPropertyValue(name).trim();
  return { background: v('--surface'), foreground: v('--fg'), cursor: v('--accent'), cursorAccent: v('--surface'), selectionBackground: `${v('--accent')}55` };
}
