// @vitest-environment happy-dom
// TerminalPrompt: a node's password asked in the terminal tab (sent once, or
// cancelled), and a host key to confirm.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import TerminalPrompt from '../../src-renderer/components/dock/TerminalPrompt.svelte';

describe('TerminalPrompt', () => {
  let app: ReturnType<typeof mount> | undefined;
  afterEach(() => {
    if (app) void unmount(app);
    document.body.innerHTML = '';
  });

  it('asks for a password in a field that does not show it, and sends what was typed', () => {
    const answers: (string | null)[] = [];
    app = mount(TerminalPrompt, { target: document.body, props: { prompt: { type: 'prompt', id: 1, kind: 'secret', message: 'Password for pi@10.0.0.5:' }, onAnswer: (v: string | null) => answers.push(v) } });
    flushSync();
    const input = document.querySelector('input')!;
    expect(input.type).toBe('password');
    expect(document.body.textContent).toContain('Password for pi@10.0.0.5:');
    input.value = 's3cret';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    document.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    flushSync();
    expect(answers).toEqual(['s3cret']);
    Array.from(document.querySelectorAll('button')).find((b) => b.textContent === 'Cancel')!.click();
    expect(answers).toEqual(['s3cret', null]);
  });

  it('asks to trust a host key: yes, or cancel', () => {
    const answers: (string | null)[] = [];
    app = mount(TerminalPrompt, { target: document.body, props: { prompt: { type: 'prompt', id: 2, kind: 'confirm', message: 'pi presents SHA256:abc' }, onAnswer: (v: string | null) => answers.push(v) } });
    flushSync();
    expect(document.querySelector('input')).toBeNull();
    const buttons = Array.from(document.querySelectorAll('button'));
    buttons.find((b) => b.textContent === 'Trust and connect')!.click();
    buttons.find((b) => b.textContent === 'Cancel')!.click();
    expect(answers).toEqual(['yes', null]);
  });
});
