// events.k8s.io/v1 Event: the same objects as core v1 Events (upstream stores both as one), with
// the newer field names: regarding, note, reportingController, deprecatedSource... Everything
// but the names (storage, validation, table) is the core kind's, reached through conversion.
import { event } from './event.ts';
import type { KubeObject, ResourceDefinition } from './types.ts';

/** events.k8s.io name ↔ core v1 name, for the fields that were renamed. */
const renamed: [string, string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function rename(obj: KubeObject, pairs: [string, string][]): KubeObject {
  const out: KubeObject = { ...obj };
  for (const [from, to] of pairs) {
    if (from in out) {
      out[to] = out[from];
      delete out[from];
    }
  }
  return out;
}

export const fromCoreEvent = (obj: KubeObject): KubeObject => rename(obj, renamed.map(([a, b]) => [b, a]));
export const toCoreEvent = (obj: KubeObject): KubeObject => rename(obj, renamed);

const onCore =
  (get: (obj: KubeObject) => string | undefined) =>
  (obj: KubeObject): string | undefined =>
    get(toCoreEvent(obj));

export const eventsEvent: ResourceDefinition = {
  ...event,
  group: 'events.k8s.io',
  shortNames: ['ev'],
  versions: [{ version: 'v1', fromStorage: fromCoreEvent, toStorage: toCoreEvent }],
  storedAs: event,
  // The core field labels work here too, and regarding.* / reportingController name the same.
  selectableFields: Object.fromEntries(
    Object.entries(event.selectableFields ?? {}).flatMap(([field, get]) => {
      const alias = field.replace(/^involvedObject\./, 'regarding.').replace(/^reportingComponent$/, 'reportingController');
      return alias === field ? [[field, onCore(get)]] : [[field, onCore(get)], [alias, onCore(get)]];
    }),
  ),
  table: event.table && { columns: event.table.columns, cells: (obj, now) => event.table!.cells(toCoreEvent(obj), now) },
};
