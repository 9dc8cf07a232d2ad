// The fields an object sets, as structured-merge-diff's ToFieldSet computes them: this is what an
// applier owns after applying the object. Leaves (scalars, atomic lists and maps) are members;
// list items and map keys are members with their contents below them; a struct's field is a
// member itself only when it is empty or null (otherwise its members below stand for it).
import type { Schema } from '../openapi/spec.ts';
import { FieldSet } from './fieldpath.ts';
import type { PathElement } from './fieldpath.ts';
import { entrySchema, isDeclaredField, isObject, itemElement, shapeOf } from './shape.ts';

export function fieldSetOf(obj: unknown, schema: Schema | undefined): FieldSet {
  const set = new FieldSet();
  walk(obj, schema, [], set);
  return set;
}

// path is a stack shared by the whole walk: FieldSet.insert copies what it keeps.
function walk(value: unknown, schema: Schema | undefined, path: PathElement[], set: FieldSet): void {
  const shape = shapeOf(schema, value);
  if (shape.kind === 'scalar' || (shape.kind === 'map' ? shape.atomic : shape.type === 'atomic')) {
    set.insert(path);
    return;
  }
  if (shape.kind === 'map') {
    if (!isObject(value)) return;
    for (const [name, child] of Object.entries(value)) {
      if (child === undefined) continue;
      path.push({ field: name });
      walk(child, entrySchema(shape, name), path, set);
      const empty = child === null || (isObject(child) && Object.keys(child).length === 0);
      if (empty || !isDeclaredField(shape, name)) set.insert(path);
      path.pop();
    }
    return;
  }
  if (!Array.isArray(value)) return;
  value.forEach((item, i) => {
    path.push(itemElement(shape, item, i));
    walk(item, shape.items, path, set);
    set.insert(path);
    path.pop();
  });
}
