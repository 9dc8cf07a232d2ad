// @vitest-environment happy-dom
// The command palette and the shortcuts: Ctrl+K opens it, typing part of a pod's name finds it,
// the arrow keys move, Enter opens the object's view, Escape closes; a view's single key goes to
// the view, but never from a field or a terminal.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import CommandPalette from '../../src-renderer/components/CommandPalette.svelte';
import { ClusterState } from '../../src-renderer/lib/cluster.svelte.ts';
import { selection } from '../../src-renderer/lib/selection.svelte.ts';
import type { Transport } from '../../src-renderer/lib/transport/transport.ts';

const idle: Transport = { invoke: () => new Promise(() => {}), subscribe: () => () => {}, close: () => {} };
const pod = (namespace: string, name: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name, uid: `${namespace}-${name}` } });

function key(key: string, init: KeyboardEventInit = {}, target: EventTarget = document.body): void {
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init }));
  flushSync();
}

const input = () => document.querySelector<HTMLInputElement>('[role=combobox]');
const options = () => Array.from(document.querySelectorAll('[role=option]')).map((o) => o.querySelector('.title')!.textContent);
const activeOption = () => document.querySelector('[role=option][aria-selected=true] .title')?.textContent;

function type(text: string): void {
  const el = input()!;
  el.value = text;
  el.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

describe('command palette', () => {
  let app: ReturnType<typeof mount> | undefined;
  let cluster: ClusterState;
  beforeEach(() => {
    location.hash = '';
    cluster = new ClusterState(idle);
    const pods = Array.from({ length: 5000 }, (_, i) => pod('default', `batch-${i}`));
    pods.push(pod('default', 'web-7f9c-abcde'), pod('shop', 'web-7f9c-zzzzz'));
    cluster.pods.replace(pods);
    cluster.namespaces.replace([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }]);
    app = mount(CommandPalette, { target: document.body, props: { cluster } });
    flushSync();
  });
  afterEach(() => {
    if (app) void unmount(app);
    document.body.innerHTML = '';
    selection.namespace = '';
  });

  it('opens with Ctrl+K, finds pods by part of their name, moves with the arrows and opens with Enter', () => {
    expect(input()).toBeNull();
    key('k', { ctrlKey: true });
    expect(document.activeElement).toBe(input());
    // Views and actions first when nothing is typed.
    expect(options()[0]).toBe('Overview');
    type('web-7f9');
    expect(options()).toEqual(['web-7f9c-abcde', 'web-7f9c-zzzzz']);
    expect(activeOption()).toBe('web-7f9c-abcde');
    key('ArrowDown', {}, input()!);
    expect(activeOption()).toBe('web-7f9c-zzzzz');
    key('ArrowDown', {}, input()!);
    expect(activeOption()).toBe('web-7f9c-abcde');
    key('ArrowUp', {}, input()!);
    key('Enter', {}, input()!);
    expect(input()).toBeNull();
    expect(location.hash).toBe('#/pods?namespace=shop&name=web-7f9c-zzzzz');
  });

  it('opens an object in the editor with Shift+Enter, and runs actions', () => {
    key('K', { metaKey: true });
    type('web-7f9c-abcde');
    key('Enter', { shiftKey: true }, input()!);
    expect(location.hash).toBe('#/editor?kind=pods&namespace=default&name=web-7f9c-abcde');
    key('P', { ctrlKey: true, shiftKey: true });
    type('switch shop');
    expect(activeOption()).toBe('Switch to namespace shop');
    key('Enter', {}, input()!);
    expect(selection.namespace).toBe('shop');
  });

  it('closes with Escape, and says when nothing matches', () => {
    key('k', { ctrlKey: true });
    type('qqqqqq');
    expect(document.body.textContent).toContain('Nothing matches');
    key('Escape', {}, input()!);
    expect(input()).toBeNull();
  });

  it("goes to a view with its key, shows the help with ?, and leaves fields' and terminals' keys alone", () => {
    key('p');
    expect(location.hash).toBe('#/pods');
    const field = document.createElement('input');
    document.body.append(field);
    key('w', {}, field);
    expect(location.hash).toBe('#/pods');
    const term = document.createElement('div');
    term.className = 'xterm';
    const inner = document.createElement('textarea');
    term.append(inner);
    document.body.append(term);
    key('k', { ctrlKey: true }, inner);
    expect(input()).toBeNull();
    key('?');
    expect(document.querySelector('[aria-label="Keyboard shortcuts"]')).not.toBeNull();
    key('Escape');
    expect(document.querySelector('[aria-label="Keyboard shortcuts"]')).toBeNull();
  });

  it('focuses the current view\'s search field with /', () => {
    const main = document.createElement('main');
    const search = document.createElement('input');
    search.setAttribute('data-search', '');
    main.append(search);
    document.body.append(main);
    key('/');
    expect(document.activeElement).toBe(search);
  });
});
