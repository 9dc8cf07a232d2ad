// The scale subresource gives the target's pod selector in its string form (status.selector,
// "app=web,tier in (a,b)"); the HPA matches cached pods against it (labels.Parse upstream).
export type Labels = Readonly<Record<string, string>> | undefined;
export type PodSelector = (labels: Labels) => boolean;

export class SelectorParseError extends Error {}

type Term = (l: Readonly<Record<string, string>>) => boolean;

const has = (l: Readonly<Record<string, string>>, k: string): boolean => Object.prototype.hasOwnProperty.call(l, k);
const keyRe = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;
const valueRe = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function key(k: string, text: string): string {
  if (!keyRe.test(k)) throw new SelectorParseError(`unable to parse requirement: invalid label key "${k}" in "${text}"`);
  return k;
}

function value(v: string, text: string): string {
  if (!valueRe.test(v)) throw new SelectorParseError(`unable to parse requirement: invalid label value: "${v}" in "${text}"`);
  return v;
}

/** Splits on the commas between requirements, not those inside "in (a,b)". */
function requirements(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((r) => r.trim()).filter((r) => r !== '');
}

function term(req: string, text: string): Term {
  let m = /^!\s*(\S+)$/.exec(req);
  if (m) {
    const k = key(m[1], text);
    return (l) => !has(l, k);
  }
  m = /^(\S+?)\s*(==|!=|=)\s*(\S*)$/.exec(req);
  if (m) {
    const k = key(m[1], text);
    const v = value(m[3], text);
    return m[2] === '!=' ? (l) => !has(l, k) || l[k] !== v : (l) => has(l, k) && l[k] === v;
  }
  m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(req);
  if (m) {
    const k = key(m[1], text);
    const values = m[3].split(',').map((v) => value(v.trim(), text));
    return m[2] === 'in' ? (l) => has(l, k) && values.includes(l[k]) : (l) => !has(l, k) || !values.includes(l[k]);
  }
  m = /^(\S+)\s*([<>])\s*(-?\d+)$/.exec(req);
  if (m) {
    const k = key(m[1], text);
    const n = Number(m[3]);
    const gt = m[2] === '>';
    return (l) => has(l, k) && /^-?\d+$/.test(l[k]) && (gt ? Number(l[k]) > n : Number(l[k]) < n);
  }
  const k = key(req, text);
  return (l) => has(l, k);
}

/** Parses a selector string; "" selects everything. Throws SelectorParseError. */
export function parseSelector(text: string): PodSelector {
  const terms = requirements(text).map((r) => term(r, text));
  return (labels) => terms.every((t) => t(labels ?? {}));
}
