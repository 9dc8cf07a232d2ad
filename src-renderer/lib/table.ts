// A column of ObjectTable (components/ui/ObjectTable.svelte).
import type { Snippet } from 'svelte';

export interface Column<R> {
  title: string;
  /** Text of the cell; use `cell` for anything richer. */
  text?: (row: R) => string | number;
  cell?: Snippet<[R]>;
  align?: 'right';
  /** A CSS width; VirtualTable needs them, its layout is fixed so columns do not jump on scroll. */
  width?: string;
}
