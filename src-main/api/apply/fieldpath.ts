// Field paths and sets of them, after sigs.k8s.io/structured-merge-diff's fieldpath package: the
// vocabulary in which managedFields say who owns what. A path is a list of elements: a field of a
// map (`.spec`), an item of an associative list by its key fields (`[name="nginx"]`), an item of
// a set by its value (`[="a"]`), or (for lists with neither) an index.

export type PathElement =
  | { field: string }
  | { key: Record<string, unknown> }
  | { value: unknown }
  | { index: number };

export type Path = readonly PathElement[];

/** JSON with object keys sorted, so that equal values always give the same text. */
export function canonicalJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.keys(v as object)
      .sort(compareStrings)
      .map((k) => `${JSON.stringify(k)}:${canonicalJSON((v as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** The element's FieldsV1 key: `f:name`, `k:{"name":"app"}`, `v:"x"`, `i:0`. Also its identity. */
export function elementKey(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  // Key and value elements are looked up once per path they appear in: remember their text.
  let k = keyCache.get(pe);
  if (k === undefined) {
    k = 'key' in pe ? `k:${canonicalJSON(pe.key)}` : 'value' in pe ? `v:${canonicalJSON(pe.value)}` : `i:${pe.index}`;
    keyCache.set(pe, k);
  }
  return k;
}

const keyCache = new WeakMap<PathElement, string>();

/** Parses a FieldsV1 key back into an element; throws on anything malformed. */
export function parseElementKey(s: string): PathElement {
  const kind = s.slice(0, 2);
  const rest = s.slice(2);
  switch (kind) {
    case 'f:':
      return { field: rest };
    case 'k:': {
      const key: unknown = JSON.parse(rest);
      if (key === null || typeof key !== 'object' || Array.isArray(key)) throw new Error(`invalid key element ${s}`);
      return { key: key as Record<string, unknown> };
    }
    case 'v:':
      return { value: JSON.parse(rest) as unknown };
    case 'i:': {
      if (!/^\d+$/.test(rest)) throw new Error(`invalid index element ${s}`);
      return { index: Number(rest) };
    }
    default:
      throw new Error(`invalid path element ${JSON.stringify(s)}`);
  }
}

// Go's strings.Compare orders by bytes; for the names found in API objects (ASCII) UTF-16 code
// unit order is the same.
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function typeRank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null && typeof v === 'object') return 4;
  return 5; // null sorts last, as in structured-merge-diff's value.Compare
}

/** A total order over JSON values: numbers, then strings, booleans, lists, maps, null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return Math.sign((a as number) - (b as number));
  if (ra === 1) return compareStrings(a as string, b as string);
  if (ra === 2) return Number(a) - Number(b);
  return compareStrings(canonicalJSON(a), canonicalJSON(b));
}

function compareKeys(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const an = Object.keys(a).sort(compareStrings);
  const bn = Object.keys(b).sort(compareStrings);
  for (let i = 0; i < Math.min(an.length, bn.length); i++) {
    const byName = compareStrings(an[i], bn[i]);
    if (byName !== 0) return byName;
    const byValue = compareValues(a[an[i]], b[bn[i]]);
    if (byValue !== 0) return byValue;
  }
  return an.length - bn.length;
}

function elementRank(pe: PathElement): number {
  return 'field' in pe ? 0 : 'key' in pe ? 1 : 'value' in pe ? 2 : 3;
}

/** Upstream's element order: fields by name, then keys, values, indexes. FieldsV1 is written in it. */
export function compareElements(a: PathElement, b: PathElement): number {
  const ra = elementRank(a);
  const rb = elementRank(b);
  if (ra !== rb) return ra - rb;
  if ('field' in a && 'field' in b) return compareStrings(a.field, b.field);
  if ('key' in a && 'key' in b) return compareKeys(a.key, b.key);
  if ('value' in a && 'value' in b) return compareValues(a.value, b.value);
  return (a as { index: number }).index - (b as { index: number }).index;
}

/** How a path reads in conflict messages: `.spec.template.spec.containers[name="app"].image`. */
export function pathString(path: Path): string {
  return path
    .map((pe) => {
      if ('field' in pe) return `.${pe.field}`;
      if ('key' in pe) {
        const names = Object.keys(pe.key).sort(compareStrings);
        return `[${names.map((n) => `${n}=${canonicalJSON(pe.key[n])}`).join(',')}]`;
      }
      if ('value' in pe) return `[=${canonicalJSON(pe.value)}]`;
      return `[${pe.index}]`;
    })
    .join('');
}

interface Child {
  element: PathElement;
  set: FieldSet;
}

/**
 * A set of paths stored as a trie. A path is a member when it was inserted itself; children hold
 * the longer paths below an element. Children are never empty. Sets are only changed while they
 * are built (insert); the operations return new sets that share unchanged subtrees.
 */
export class FieldSet {
  readonly members = new Map<string, PathElement>();
  readonly children = new Map<string, Child>();

  isEmpty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  insert(path: Path): void {
    if (path.length === 0) return;
    let set: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) {
      const k = elementKey(path[i]);
      let child = set.children.get(k);
      if (!child) {
        child = { element: path[i], set: new FieldSet() };
        set.children.set(k, child);
      }
      set = child.set;
    }
    const last = path[path.length - 1];
    set.members.set(elementKey(last), last);
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    let set: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && set; i++) set = set.children.get(elementKey(path[i]))?.set;
    return set?.members.has(elementKey(path[path.length - 1])) ?? false;
  }

  /** The subset below one element (empty when there is none). */
  childSet(pe: PathElement): FieldSet {
    return this.children.get(elementKey(pe))?.set ?? EMPTY;
  }

  hasMember(pe: PathElement): boolean {
    return this.members.has(elementKey(pe));
  }

  // The operations give back an operand itself when the other changes nothing: an entry that a
  // write leaves alone keeps its set, and fields-v1.ts then reuses that set's encoding.
  union(other: FieldSet): FieldSet {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, pe] of other.members) out.members.set(k, pe);
    for (const [k, c] of this.children) out.children.set(k, c);
    for (const [k, c] of other.children) {
      const mine = out.children.get(k);
      out.children.set(k, mine ? { element: c.element, set: mine.set.union(c.set) } : c);
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    if (this.isEmpty() || other.isEmpty()) return out;
    // Walk the smaller side: a write's few changed fields against a creator's whole spec.
    const [small, large] = this.members.size <= other.members.size ? [this, other] : [other, this];
    for (const [k, pe] of small.members) if (large.members.has(k)) out.members.set(k, pe);
    const [fewer, more] = this.children.size <= other.children.size ? [this, other] : [other, this];
    for (const [k, c] of fewer.children) {
      const theirs = more.children.get(k);
      if (!theirs) continue;
      const both = c.set.intersection(theirs.set);
      if (!both.isEmpty()) out.children.set(k, { element: c.element, set: both });
    }
    return out;
  }

  /** This set without the paths of other (exact paths only: the children of a removed path stay). */
  difference(other: FieldSet): FieldSet {
    if (other.isEmpty() || this.isEmpty()) return this;
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const theirs = other.children.get(k);
      if (!theirs) {
        out.children.set(k, c);
        continue;
      }
      const rest = c.set.difference(theirs.set);
      if (!rest.isEmpty()) out.children.set(k, { element: c.element, set: rest });
    }
    return out;
  }

  /** Every member path, in upstream's order (a path before the paths below it). */
  paths(): Path[] {
    const out: Path[] = [];
    const walk = (set: FieldSet, prefix: PathElement[]) => {
      const keys = new Map<string, PathElement>(set.members);
      for (const [k, c] of set.children) keys.set(k, c.element);
      const sorted = [...keys.entries()].sort((a, b) => compareElements(a[1], b[1]));
      for (const [k, pe] of sorted) {
        if (set.members.has(k)) out.push([...prefix, pe]);
        const c = set.children.get(k);
        if (c) walk(c.set, [...prefix, pe]);
      }
    };
    walk(this, []);
    return out;
  }
}

const EMPTY = new FieldSet();
