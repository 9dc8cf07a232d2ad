// @vitest-environment happy-dom
// SecretDrawer: no value until Reveal asks for that one key; Hide forgets it; a failed reveal
// leaves the key hidden.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterState } from '../../src-renderer/lib/cluster.svelte.ts';
import SecretDrawer from '../../src-renderer/views/config/SecretDrawer.svelte';

const secret = { metadata: { namespace: 'apps', name: 'db' }, type: 'Opaque', data: { password: '', token: '' } };

function fakeCluster(answer: (key: string) => Promise<unknown>) {
  const calls: unknown[] = [];
  const cluster = {
    call: (method: string, params: { key: string }) => {
      calls.push([method, params]);
      return answer(params.key);
    },
  } as unknown as ClusterState;
  return { cluster, calls };
}

const button = (label: string) => document.querySelector<HTMLButtonElement>(`button[aria-label="${label}"]`);
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  flushSync();
};

describe('SecretDrawer', () => {
  let app: ReturnType<typeof mount> | undefined;
  afterEach(() => {
    if (app) void unmount(app);
    app = undefined;
    document.body.innerHTML = '';
  });

  it('reveals one key on request and hides it again', async () => {
    const { cluster, calls } = fakeCluster(async () => ({ value: 's3cret', binary: false }));
    app = mount(SecretDrawer, { target: document.body, props: { cluster, secret, onClose: () => {} } });
    flushSync();
    expect(document.querySelectorAll('pre')).toHaveLength(0);
    expect(calls).toEqual([]);

    button('Reveal password')!.click();
    await settle();
    expect(calls).toEqual([['revealSecret', { namespace: 'apps', name: 'db', key: 'password' }]]);
    expect(document.querySelector('[data-key=password] pre')?.textContent).toBe('s3cret');
    expect(document.querySelector('[data-key=token] pre')).toBeNull();

    button('Hide password')!.click();
    flushSync();
    expect(document.querySelectorAll('pre')).toHaveLength(0);
    expect(button('Reveal password')).not.toBeNull();
  });

  it('keeps the key hidden when the reveal fails', async () => {
    const { cluster } = fakeCluster(async () => { throw new Error('secrets "db" is forbidden'); });
    app = mount(SecretDrawer, { target: document.body, props: { cluster, secret, onClose: () => {} } });
    flushSync();
    button('Reveal token')!.click();
    await settle();
    expect(document.querySelectorAll('pre')).toHaveLength(0);
    expect(button('Reveal token')?.disabled).toBe(false);
  });
});
