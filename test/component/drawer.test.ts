// @vitest-environment happy-dom
// Escape closes the drawer, but not while a modal dialog opened from it is up: that Escape is
// the dialog's.
import { createRawSnippet, flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import Drawer from '../../src-renderer/components/ui/Drawer.svelte';

const body = createRawSnippet(() => ({ render: () => '<p>details</p>' }));

describe('Drawer', () => {
  let app: ReturnType<typeof mount> | undefined;
  afterEach(() => {
    if (app) void unmount(app);
    document.body.innerHTML = '';
  });

  it('closes on Escape unless a modal dialog is open', () => {
    let closed = 0;
    app = mount(Drawer, { target: document.body, props: { title: 'Pod web', onClose: () => closed++, children: body } });
    flushSync();
    const dialog = document.createElement('div');
    dialog.setAttribute('role', 'dialog');
    dialog.setAttribute('aria-modal', 'true');
    document.body.append(dialog);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(closed).toBe(0);
    dialog.remove();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(closed).toBe(1);
  });
});
