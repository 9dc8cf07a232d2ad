// The apply preview's diff and the field paths of API causes.
import { describe, expect, it } from 'vitest';
import { fieldPathSegments, causeLines } from '../../../src-main/editor/field-lines.ts';
import { diffLines, unifiedDiff } from '../../../src-main/editor/line-diff.ts';

describe('line diff', () => {
  it('keeps common lines and marks removals and additions in order', () => {
    expect(diffLines('a\nb\nc', 'a\nx\nc\nd')).toEqual([
      { op: ' ', text: 'a' }, { op: '-', text: 'b' }, { op: '+', text: 'x' }, { op: ' ', text: 'c' }, { op: '+', text: 'd' },
    ]);
    expect(unifiedDiff('same', 'same')).toBe('');
    const long = Array.from({ length: 20 }, (_, i) => `l${i}`);
    const edited = long.map((l, i) => (i === 10 ? 'changed' : l));
    expect(unifiedDiff(long.join('\n'), edited.join('\n'), 1)).toBe(' l9\n-l10\n+changed\n l11');
  });
});

describe('field causes to lines', () => {
  it('parses upstream field paths, with indexes and merge-key selectors', () => {
    expect(fieldPathSegments('spec.template.spec.containers[0].ports[name=http].containerPort'))
      .toEqual(['spec', 'template', 'spec', 'containers', 0, 'ports', { key: 'name', value: 'http' }, 'containerPort']);
  });

  it('points a missing field at its nearest parent', () => {
    const text = 'kind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n';
    expect(causeLines(text, { kind: 'Pod', name: 'p' }, [{ field: 'spec.containers[0].image', message: 'Required value' }]))
      .toEqual([{ field: 'spec.containers[0].image', message: 'Required value', line: 6 }]);
  });
});
