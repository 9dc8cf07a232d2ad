import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import {
  completionIndex, duplicatedIndexPods, firstPendingIndexes, formatIntervals, generateNameWithIndex, intervalsTotal, parseIntervals, withIndexes,
} from '../../../src-main/controllers/job/indexed.ts';

const pod = (name: string, index?: string, phase = 'Running'): Pod => ({
  metadata: { name, ...(index === undefined ? {} : { annotations: { 'batch.kubernetes.io/job-completion-index': index } }) },
  status: { phase },
});

describe('indexed jobs', () => {
  it('parse, merge and print completed indexes as upstream writes them', () => {
    expect(parseIntervals('0-2,5,7-9', 8)).toEqual([[0, 2], [5, 5], [7, 7]]);
    expect(parseIntervals('', 3)).toEqual([]);
    const merged = withIndexes(parseIntervals('1,5-6', 10), [0, 3, 7, 9]);
    expect(formatIntervals(merged)).toBe('0-1,3,5-7,9');
    expect(intervalsTotal(merged)).toBe(7);
  });

  it('read the completion index, refusing bad ones', () => {
    expect(completionIndex(pod('a', '3'))).toBe(3);
    expect(completionIndex(pod('b', '-1'))).toBe(-1);
    expect(completionIndex(pod('c', 'x'))).toBe(-1);
    expect(completionIndex(pod('d'))).toBe(-1);
  });

  it('start the lowest indexes that are neither done nor running', () => {
    expect(firstPendingIndexes(6, [[0, 1]], [pod('a', '3')], 3)).toEqual([2, 4, 5]);
    expect(firstPendingIndexes(3, [[0, 2]], [], 2)).toEqual([]);
  });

  it('remove pods with a bad or repeated index, keeping the most advanced of a repeat', () => {
    const running = pod('run', '1', 'Running');
    const pending = pod('pend', '1', 'Pending');
    const { remove, keep } = duplicatedIndexPods([running, pending, pod('bad', '7'), pod('none'), pod('ok', '0')], 3);
    expect(remove.map((p) => p.metadata?.name).sort()).toEqual(['bad', 'none', 'pend']);
    expect(keep.map((p) => p.metadata?.name).sort()).toEqual(['ok', 'run']);
  });

  it('name pods <job>-<index>-, cut to leave room for the random suffix', () => {
    expect(generateNameWithIndex('work', 4)).toBe('work-4-');
    const long = generateNameWithIndex('x'.repeat(70), 12);
    expect(long).toHaveLength(58);
    expect(long.endsWith('-12-')).toBe(true);
  });
});
