// Where an API error's field causes are in the YAML the user wrote: `spec.containers[0].image`
// (upstream's field path form, as in a 422 Status' causes) resolved in the yaml library's
// Document to a 1-based line, so the editor marks the right line. Multi-document files: the
// document is the one whose kind and name match the object that failed.
import { isMap, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';

export interface FieldLine {
  field: string;
  message: string;
  /** 1-based; the nearest enclosing field that exists when the path itself does not (a missing field). */
  line: number;
}

/** `a.b[2].c` and `a.b[name=x]` (merge-key selectors, as some causes use) into path segments. */
export function fieldPathSegments(field: string): (string | number | { key: string; value: string })[] {
  const out: (string | number | { key: string; value: string })[] = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]|\[([^=\]]+)=([^\]]*)\]/g)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push({ key: m[3]!, value: m[4]! });
  }
  return out;
}

/** The lines of each cause in the document for the object (kind and name) that failed. */
export function causeLines(text: string, target: { kind?: string; name?: string }, causes: { field?: string; message?: string }[]): FieldLine[] {
  const counter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: counter, keepSourceTokens: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const doc = list.find((d) => matches(d, target)) ?? list[0];
  if (!doc) return [];
  const lineOf = (node: Node | null | undefined) => (node?.range ? counter.linePos(node.range[0]).line : 1);
  return causes.map((c) => {
    const field = c.field ?? '';
    // The deepest existing node on the path: a missing field points at its parent.
    let node: Node | null | undefined = doc.contents as Node | null;
    let keyNode: Node | null | undefined;
    for (const seg of fieldPathSegments(field)) {
      const next = child(node, seg);
      if (!next) break;
      [node, keyNode] = [next.value, next.key];
    }
    return { field, message: c.message ?? '', line: lineOf(keyNode ?? node) };
  });
}

function matches(doc: Document, target: { kind?: string; name?: string }): boolean {
  const obj = doc.toJS() as { kind?: string; metadata?: { name?: string } } | null;
  return obj?.kind === target.kind && obj?.metadata?.name === target.name;
}

function child(node: Node | null | undefined, seg: string | number | { key: string; value: string }): { key?: Node; value: Node } | undefined {
  if (typeof seg === 'number') return isSeq(node) && node.items[seg] ? { value: node.items[seg] as Node } : undefined;
  if (typeof seg === 'object') {
    if (!isSeq(node)) return undefined;
    const item = node.items.find((i) => isMap(i) && String(i.get(seg.key)) === seg.value);
    return item ? { value: item as Node } : undefined;
  }
  if (!isMap(node)) return undefined;
  const pair = node.items.find((p) => String((p.key as { value?: unknown } | null)?.value ?? p.key) === seg);
  return pair ? { key: pair.key as Node, value: (pair.value ?? pair.key) as Node } : undefined;
}
