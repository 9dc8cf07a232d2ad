// The selectors a metrics LIST takes: labels of the node or pod (?labelSelector=, every
// operator), and ?fieldSelector= over metadata.name and metadata.namespace only, which
// metrics-server matches as a fields.Set (any other field is simply absent, so "x=y" matches
// nothing and "x!=y" everything).
import { LabelSelectorError, parseLabelSelector, type LabelSelector } from '../../api/selectors/label-selector.ts';
import { badRequest } from '../../api/status.ts';
import type { ObjectInfo } from './objects.ts';

export interface MetricsSelector {
  labels: LabelSelector;
  matches(info: ObjectInfo): boolean;
}

interface FieldTerm {
  field: string;
  op: '=' | '!=';
  value: string;
}

function fieldTerms(text: string): FieldTerm[] {
  const terms: FieldTerm[] = [];
  for (const part of text.split(/(?<!\\),/)) {
    if (part.trim() === '') continue;
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    terms.push({ field: m[1], op: m[2] === '!=' ? '!=' : '=', value: m[3].replace(/\\(.)/g, '$1') });
  }
  return terms;
}

function fieldValue(info: ObjectInfo, field: string): string {
  if (field === 'metadata.name') return info.name;
  if (field === 'metadata.namespace') return info.namespace ?? '';
  return '';
}

export function parseMetricsSelector(query: URLSearchParams): MetricsSelector {
  let labels: LabelSelector;
  try {
    labels = parseLabelSelector(query.get('labelSelector'));
  } catch (e) {
    if (e instanceof LabelSelectorError) throw badRequest(e.message);
    throw e;
  }
  const terms = fieldTerms(query.get('fieldSelector') ?? '');
  return {
    labels,
    matches: (info) =>
      labels.matches(info.labels) &&
      terms.every((t) => (t.op === '=' ? fieldValue(info, t.field) === t.value : fieldValue(info, t.field) !== t.value)),
  };
}
