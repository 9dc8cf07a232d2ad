// The pod table's filter: a label selector in kubectl's syntax (`app=web,tier!=db,env in (a,b),
// !legacy`, parsed by the API server's own parser so both agree) and a text that must appear in
// the name, node, IP or status.
import { LabelSelectorError, parseLabelSelector } from '../../src-main/api/selectors/label-selector.ts';
import type { PodRow } from './pod-status.ts';

export type PodFilter = { ok: true; active: boolean; match: (row: PodRow) => boolean } | { ok: false; error: string };

export function podFilter(selectorText: string, text: string): PodFilter {
  let selector;
  try {
    selector = parseLabelSelector(selectorText);
  } catch (err) {
    if (err instanceof LabelSelectorError) return { ok: false, error: err.message };
    throw err;
  }
  const needle = text.trim().toLowerCase();
  const matchesText = (r: PodRow) =>
    r.name.includes(needle) || r.node.includes(needle) || r.ip.includes(needle) || r.status.toLowerCase().includes(needle);
  return {
    ok: true,
    active: !selector.empty || needle !== '',
    match: (r) => (selector.empty || selector.matches(r.labels as Record<string, string>)) && (needle === '' || matchesText(r)),
  };
}
