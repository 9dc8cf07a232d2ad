// The smallest replacement turning one text into another (common prefix and suffix kept), so a
// form edit applied to the editor moves neither the cursor nor the scroll nor the undo history
// more than the change itself.
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export function minimalEdit(before: string, after: string): TextEdit | undefined {
  if (before === after) return undefined;
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before[start] === after[start]) start++;
  let tail = 0;
  while (tail < max - start && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  return { start, end: before.length - tail, text: after.slice(start, after.length - tail) };
}
