// Field selectors (?fieldSelector=metadata.name=x,status.phase!=Running): only =, == and !=, on
// metadata.name, metadata.namespace and the fields a kind declares selectable.
import type { KubeObject, ResourceDefinition } from '../resources/types.ts';

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export class FieldSelectorError extends Error {}

export interface FieldSelector {
  requirements: FieldRequirement[];
  matches(obj: KubeObject): boolean;
  /** The value required for metadata.name, if the selector pins one (lets lists skip a scan). */
  name?: string;
}

/** Parses and checks a field selector against the kind's selectable fields. */
export function parseFieldSelector(text: string | null | undefined, def: ResourceDefinition): FieldSelector {
  const s = (text ?? '').trim();
  const requirements: FieldRequirement[] = [];
  if (s) {
    for (const part of splitTerms(s)) {
      const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part.trim());
      if (!m) throw new FieldSelectorError(`invalid selector: '${s}'; can't understand '${part}'`);
      const [, field, op, value] = m;
      requirements.push({ field, op: op === '!=' ? '!=' : '=', value: unescapeValue(value) });
    }
  }
  const getters = requirements.map((r) => {
    const get = getterFor(r.field, def);
    if (!get) throw new FieldSelectorError(`field label not supported: ${r.field}`);
    return get;
  });
  const name = requirements.find((r) => r.field === 'metadata.name' && r.op === '=')?.value;
  return {
    requirements,
    name,
    matches(obj) {
      return requirements.every((r, i) => {
        const v = getters[i](obj) ?? '';
        return r.op === '=' ? v === r.value : v !== r.value;
      });
    },
  };
}

function getterFor(field: string, def: ResourceDefinition): ((obj: KubeObject) => string | undefined) | undefined {
  if (field === 'metadata.name') return (o) => o.metadata?.name;
  if (field === 'metadata.namespace') return def.namespaced ? (o) => o.metadata?.namespace : () => '';
  return def.selectableFields?.[field];
}

/** Splits on commas that are not escaped with a backslash. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) {
      cur += s[i] + s[i + 1];
      i++;
    } else if (s[i] === ',') {
      out.push(cur);
      cur = '';
    } else cur += s[i];
  }
  out.push(cur);
  return out.filter((t) => t.trim() !== '');
}

function unescapeValue(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}
