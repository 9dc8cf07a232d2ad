// Label selectors in their string form (apimachinery/pkg/labels), as ?labelSelector= carries
// them, with every operator (=, ==, !=, in, notin, exists, !exists, gt, lt). The structured form
// of spec.selector lives in validation/label-selector.ts.
import { isQualifiedName, isValidLabelValue } from '../validation/names.ts';

export type LabelRequirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: 'gt' | 'lt'; value: number };

export type Labels = Record<string, string> | undefined;

export class LabelSelectorError extends Error {}

export interface LabelSelector {
  requirements: LabelRequirement[];
  matches(labels: Labels): boolean;
  /** Matches everything (no requirements). */
  empty: boolean;
}

export function selectorOf(requirements: LabelRequirement[]): LabelSelector {
  return {
    requirements,
    empty: requirements.length === 0,
    matches: (labels) => requirements.every((r) => matchesRequirement(r, labels ?? {})),
  };
}

export const everything: LabelSelector = selectorOf([]);

function matchesRequirement(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.op) {
    case 'in':
      return has && r.values.includes(labels[r.key]);
    case 'notin':
      return !has || !r.values.includes(labels[r.key]);
    case 'exists':
      return has;
    case '!exists':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has) return false;
      const v = Number(labels[r.key]);
      if (!Number.isInteger(v)) return false;
      return r.op === 'gt' ? v > r.value : v < r.value;
    }
  }
}

function checkKey(key: string): string {
  const problems = isQualifiedName(key);
  if (problems.length > 0) throw new LabelSelectorError(`unable to parse requirement: invalid label key "${key}": ${problems.join('; ')}`);
  return key;
}

function checkValue(value: string): string {
  const problems = isValidLabelValue(value);
  if (problems.length > 0) throw new LabelSelectorError(`unable to parse requirement: invalid label value: "${value}": ${problems.join('; ')}`);
  return value;
}

/** Parses `a=b,c!=d,e in (x,y),!f,g` into a selector. Throws LabelSelectorError. */
export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  const s = (text ?? '').trim();
  if (!s) return everything;
  const reqs: LabelRequirement[] = [];
  let pos = 0;
  const skipSpace = () => {
    while (pos < s.length && s[pos] === ' ') pos++;
  };
  const readWord = () => {
    skipSpace();
    const start = pos;
    while (pos < s.length && !' ,=!()<>'.includes(s[pos])) pos++;
    return s.slice(start, pos);
  };
  while (pos < s.length) {
    skipSpace();
    if (s[pos] === '!') {
      pos++;
      reqs.push({ key: checkKey(readWord()), op: '!exists' });
    } else {
      const key = checkKey(readWord());
      skipSpace();
      if (pos >= s.length || s[pos] === ',') {
        reqs.push({ key, op: 'exists' });
      } else if (s.startsWith('!=', pos)) {
        pos += 2;
        reqs.push({ key, op: 'notin', values: [checkValue(readWord())] });
      } else if (s.startsWith('==', pos) || s[pos] === '=') {
        pos += s.startsWith('==', pos) ? 2 : 1;
        reqs.push({ key, op: 'in', values: [checkValue(readWord())] });
      } else if (s[pos] === '>' || s[pos] === '<') {
        const op = s[pos] === '>' ? 'gt' : 'lt';
        pos++;
        const word = readWord();
        const n = Number(word);
        if (!/^-?\d+$/.test(word)) throw new LabelSelectorError(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
        reqs.push({ key, op, value: n });
      } else {
        const word = readWord();
        if (word !== 'in' && word !== 'notin') throw new LabelSelectorError(`unable to parse requirement: found '${word || s[pos]}', expected: in, notin, =, ==, !=, gt, lt`);
        skipSpace();
        if (s[pos] !== '(') throw new LabelSelectorError(`found '${s[pos] ?? ''}', expected: '('`);
        pos++;
        const values: string[] = [];
        for (;;) {
          const v = readWord();
          values.push(checkValue(v));
          skipSpace();
          if (s[pos] === ',') {
            pos++;
            continue;
          }
          if (s[pos] === ')') {
            pos++;
            break;
          }
          throw new LabelSelectorError(`found '${s[pos] ?? ''}', expected: ',' or ')'`);
        }
        reqs.push({ key, op: word, values });
      }
    }
    skipSpace();
    if (pos < s.length) {
      if (s[pos] !== ',') throw new LabelSelectorError(`found '${s[pos]}', expected: ',' or 'end of string'`);
      pos++;
      if (pos >= s.length) throw new LabelSelectorError(`found '', expected: identifier after ','`);
    }
  }
  return selectorOf(reqs);
}
