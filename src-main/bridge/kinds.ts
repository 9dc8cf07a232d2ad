// Which resources the UI cache follows. Adding a kind = one entry here plus its type in
// protocol.ts's KindMap.
import type { GroupVersionResource } from '../client/gvr.ts';
import type { KindName } from './protocol.ts';

export interface KindSpec {
  name: KindName;
  gvr: GroupVersionResource;
}

export const UI_KINDS: readonly KindSpec[] = [
  { name: 'namespaces', gvr: { group: '', version: 'v1', resource: 'namespaces' } },
  { name: 'pods', gvr: { group: '', version: 'v1', resource: 'pods' } },
];
