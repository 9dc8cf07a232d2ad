// Form edits on the editor's YAML through the yaml library's Document API: each edit parses the
// text, changes one path of one document (setIn / deleteIn / addIn) and prints the documents
// again, so comments, key order and flow style of everything else stay as the user wrote them.
import { isMap, isScalar, isSeq, parseAllDocuments, type Document } from 'yaml';

export type FieldPath = readonly (string | number)[];

export function parseManifest(text: string): Document.Parsed[] {
  const docs = parseAllDocuments(text);
  return Array.isArray(docs) ? docs : [];
}

/** The documents back as text; long lines are not folded, as the user did not fold them. */
export function printManifest(docs: Document[]): string {
  return docs.map((d) => d.toString({ lineWidth: 0 })).join('');
}

/** A value at a path as plain JS (maps and lists too), undefined when absent. */
export function readField(doc: Document, path: FieldPath): unknown {
  const node = doc.getIn(path, true);
  if (node === undefined || node === null) return undefined;
  if (isScalar(node)) return node.value;
  return isMap(node) || isSeq(node) ? node.toJSON() : node;
}

/** One document's edit applied to the whole text. */
function edit(text: string, index: number, change: (doc: Document.Parsed) => void): string {
  const docs = parseManifest(text);
  const doc = docs[index];
  if (!doc || doc.errors.length > 0) return text;
  change(doc);
  return printManifest(docs);
}

/** Sets a value (undefined removes the field). Existing scalars keep their comments. */
export function writeField(text: string, index: number, path: FieldPath, value: unknown): string {
  return edit(text, index, (doc) => {
    if (value === undefined) {
      if (doc.hasIn(path)) doc.deleteIn(path);
    } else doc.setIn(path, value);
  });
}

/** Appends an item to a list (created when absent). */
export function addItem(text: string, index: number, path: FieldPath, item: unknown): string {
  return edit(text, index, (doc) => {
    if (isSeq(doc.getIn(path, true))) doc.addIn(path, item);
    else doc.setIn(path, [item]);
  });
}

/** Removes a list item or a map key; an emptied list or map goes too. */
export function removeField(text: string, index: number, path: FieldPath): string {
  return edit(text, index, (doc) => {
    doc.deleteIn(path);
    const parent = path.slice(0, -1);
    const node = doc.getIn(parent, true);
    if ((isSeq(node) || isMap(node)) && node.items.length === 0 && parent.length > 0) doc.deleteIn(parent);
  });
}

/** Renames a map key in place (its value, position and comments stay). */
export function renameKey(text: string, index: number, mapPath: FieldPath, from: string, to: string): string {
  if (from === to || to === '') return text;
  return edit(text, index, (doc) => {
    const map = doc.getIn(mapPath, true);
    if (!isMap(map) || map.has(to)) return;
    const pair = map.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === from);
    if (!pair) return;
    if (isScalar(pair.key)) pair.key.value = to;
    else pair.key = doc.createNode(to);
  });
}

/** One document of a text, read and edited by path: what the form's fields are given. */
export interface DocumentEditor {
  read(path: FieldPath): unknown;
  write(path: FieldPath, value: unknown): void;
  add(path: FieldPath, item: unknown): void;
  remove(path: FieldPath): void;
  rename(mapPath: FieldPath, from: string, to: string): void;
}

export function documentEditor(text: string, index: number, onText: (text: string) => void): DocumentEditor {
  const doc = parseManifest(text)[index];
  return {
    read: (path) => (doc ? readField(doc, path) : undefined),
    write: (path, value) => onText(writeField(text, index, path, value)),
    add: (path, item) => onText(addItem(text, index, path, item)),
    remove: (path) => onText(removeField(text, index, path)),
    rename: (mapPath, from, to) => onText(renameKey(text, index, mapPath, from, to)),
  };
}

/** Which document (0-based) a text offset falls in: the one whose range holds it, else the last before it. */
export function documentAt(text: string, offset: number): number {
  const docs = parseManifest(text);
  let index = 0;
  docs.forEach((d, i) => {
    if (d.range && d.range[0] <= offset) index = i;
  });
  return index;
}

/** Each document's kind and name, for a picker. */
export function documentTitles(text: string): string[] {
  return parseManifest(text).map((d, i) => {
    const kind = readField(d, ['kind']);
    const name = readField(d, ['metadata', 'name']);
    return kind ? `${kind}${name ? ` ${name}` : ''}` : `Document ${i + 1}`;
  });
}
