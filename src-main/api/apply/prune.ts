// Removing what an applier stopped applying. A field, map key or list item goes when the applier
// owned it after its previous apply, and no manager (the applier's new configuration included)
// owns it now. As upstream, a field counts as owned when anything below it is owned, so that a
// struct whose last owned field went is removed whole instead of lingering as `{}`.
import type { Schema } from '../openapi/spec.ts';
import type { FieldSet, PathElement } from './fieldpath.ts';
import { entrySchema, isObject, itemElement, setOwn, shapeOf } from './shape.ts';

// Named fields count as members of a set when the set has members below them.
function claims(set: FieldSet, pe: PathElement): boolean {
  return set.hasMember(pe) || ('field' in pe && !set.childSet(pe).isEmpty());
}

export function pruneObject(obj: unknown, schema: Schema | undefined, last: FieldSet, owned: FieldSet): unknown {
  if (last.isEmpty()) return obj;
  const shape = shapeOf(schema, obj);
  if (shape.kind === 'map' && !shape.atomic && isObject(obj)) {
    let out: Record<string, unknown> | undefined;
    for (const [name, value] of Object.entries(obj)) {
      const pe = { field: name };
      const drop = claims(last, pe) && !claims(owned, pe);
      const below = last.childSet(pe);
      if (!drop && below.isEmpty()) continue;
      const next = drop ? undefined : pruneObject(value, entrySchema(shape, name), below, owned.childSet(pe));
      if (next === value) continue;
      out ??= { ...obj };
      if (next === undefined) delete out[name];
      else setOwn(out, name, next);
    }
    return out ?? obj;
  }
  if (shape.kind === 'list' && shape.type !== 'atomic' && Array.isArray(obj)) {
    const out: unknown[] = [];
    let changed = false;
    obj.forEach((item, i) => {
      const element = itemElement(shape, item, i);
      if (claims(last, element) && !claims(owned, element)) {
        changed = true;
        return;
      }
      const below = last.childSet(element);
      let next = below.isEmpty() ? item : pruneObject(item, shape.items, below, owned.childSet(element));
      // An item that stays keeps its key fields, whoever owned them.
      if (next !== item && isObject(next) && isObject(item) && shape.type === 'map') {
        const kept: Record<string, unknown> = { ...next };
        for (const k of shape.keys) if (item[k] !== undefined) kept[k] = item[k];
        next = kept;
      }
      if (next !== item) changed = true;
      out.push(next);
    });
    return changed ? out : obj;
  }
  return obj;
}

