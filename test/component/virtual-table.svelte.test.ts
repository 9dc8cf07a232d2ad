// @vitest-environment happy-dom
// VirtualTable: only the rows of the scroll window are in the DOM, spacers stand for the rest,
// scrolling moves the window, and a change to the same array shows once `revision` moves.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import VirtualTable from '../../src-renderer/components/ui/VirtualTable.svelte';

interface Row { name: string; n: number }

describe('VirtualTable', () => {
  let app: ReturnType<typeof mount> | undefined;
  afterEach(() => {
    if (app) void unmount(app);
    document.body.innerHTML = '';
  });

  const names = () => Array.from(document.querySelectorAll('tbody tr[data-name]')).map((tr) => tr.getAttribute('data-name'));

  it('renders a window of rows, moves it on scroll, and follows in-place changes', () => {
    const rows: Row[] = Array.from({ length: 1000 }, (_, i) => ({ name: `r${i}`, n: i }));
    const props = $state({ revision: 0 });
    app = mount(VirtualTable<Row>, {
      target: document.body,
      props: {
        label: 'rows',
        rows,
        get revision() { return props.revision; },
        columns: [{ title: 'Name', text: (r: Row) => r.name }, { title: 'N', text: (r: Row) => r.n, align: 'right' }],
        key: (r: Row) => r.name,
        rowAttrs: (r: Row) => ({ 'data-name': r.name }),
        rowHeight: 20,
        overscan: 5,
      },
    });
    flushSync();
    const scroller = document.querySelector('.scroller') as HTMLElement;
    // happy-dom lays nothing out (the scroller is 0 px high): the window is the overscan alone.
    expect(names().length).toBe(5);
    expect(names()[0]).toBe('r0');
    const spacers = document.querySelectorAll('tr.spacer');
    expect((spacers[1] as HTMLElement).style.height).toBe(`${(1000 - 5) * 20}px`);

    scroller.scrollTop = 10_000;
    scroller.dispatchEvent(new Event('scroll'));
    flushSync();
    expect(names()[0]).toBe('r495');
    expect(names().length).toBe(10);
    expect((spacers[0] as HTMLElement).style.height).toBe(`${495 * 20}px`);

    rows[500] = { name: 'r500', n: -1 };
    props.revision++;
    flushSync();
    const cells = Array.from(document.querySelectorAll('tr[data-name="r500"] td')).map((td) => td.textContent);
    expect(cells).toEqual(['r500', '-1']);
  });
});
