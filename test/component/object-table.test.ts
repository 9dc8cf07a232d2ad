// @vitest-environment happy-dom
// ObjectTable: rows keyed and in order, a click selects, the empty text when there are none.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import ObjectTable from '../../src-renderer/components/ui/ObjectTable.svelte';

interface Row { name: string; n: number }

describe('ObjectTable', () => {
  let app: ReturnType<typeof mount> | undefined;
  afterEach(() => {
    if (app) void unmount(app);
    document.body.innerHTML = '';
  });

  it('renders one row per object with its cells, and reports the clicked one', () => {
    const picked: string[] = [];
    app = mount(ObjectTable<Row>, {
      target: document.body,
      props: {
        label: 'things',
        rows: [{ name: 'a', n: 1 }, { name: 'b', n: 22 }],
        columns: [{ title: 'Name', text: (r: Row) => r.name }, { title: 'N', text: (r: Row) => r.n, align: 'right' }],
        key: (r: Row) => r.name,
        onSelect: (r: Row) => picked.push(r.name),
      },
    });
    flushSync();
    const rows = [...document.querySelectorAll('tbody tr')];
    expect(rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))).toEqual([['a', '1'], ['b', '22']]);
    (rows[1] as HTMLElement).click();
    expect(picked).toEqual(['b']);
  });

  it('says so when there are no rows', () => {
    app = mount(ObjectTable<Row>, { target: document.body, props: { label: 'things', rows: [], columns: [], key: (r: Row) => r.name, empty: 'No things.' } });
    flushSync();
    expect(document.body.textContent).toContain('No things.');
    expect(document.querySelector('table')).toBeNull();
  });
});
