// core v1 Event: the legacy validation upstream still applies to events written through v1
// (legacyValidateEvent), field selectors on the involved object, and the `kubectl get events`
// table, whose server-side form always carries the wide columns.
import { FieldPath, invalid, required, type FieldError } from '../field-errors.ts';
import { isDNS1123Subdomain, isQualifiedName } from '../validation/names.ts';
import { nameIsDNSSubdomain, validateObjectMeta } from '../validation/object-meta.ts';
import { age } from '../printing/age.ts';
import { nameOf, recordAt, stringAt } from './shared-meta.ts';
import type { KubeObject, ResourceDefinition, TableColumn } from './types.ts';

const lengthLimit = 128;
const noteLengthLimit = 1024;

function validateEvent(obj: KubeObject): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
  const namespace = obj.metadata?.namespace ?? '';
  const involved = recordAt(obj, 'involvedObject') ?? {};
  const involvedNS = stringAt(involved, 'namespace') ?? '';
  const nsPath = FieldPath.root('involvedObject').child('namespace');
  const str = (k: string) => (typeof obj[k] === 'string' ? (obj[k] as string) : '');
  if (!obj.eventTime) {
    // Old-style events: the event lives where its object lives ("default" for cluster objects).
    if (involvedNS === '' ? namespace !== '' && namespace !== 'default' : namespace !== involvedNS) {
      errs.push(invalid(nsPath, involvedNS, 'does not match event.namespace'));
    }
  } else {
    if (involvedNS === '' && namespace !== 'default' && namespace !== 'kube-system') errs.push(invalid(nsPath, involvedNS, 'does not match event.namespace'));
    const controller = str('reportingComponent');
    if (!controller) errs.push(required('reportingComponent'));
    else errs.push(...isQualifiedName(controller).map((m) => invalid('reportingComponent', controller, m)));
    if (!str('reportingInstance')) errs.push(required('reportingInstance'));
    if (str('reportingInstance').length > lengthLimit) errs.push(invalid('reportingInstance', '', `can have at most ${lengthLimit} characters`));
    if (!str('action')) errs.push(required('action'));
    if (str('action').length > lengthLimit) errs.push(invalid('action', '', `can have at most ${lengthLimit} characters`));
    if (!str('reason')) errs.push(required('reason'));
    if (str('reason').length > lengthLimit) errs.push(invalid('reason', '', `can have at most ${lengthLimit} characters`));
    if (str('message').length > noteLengthLimit) errs.push(invalid('message', '', `can have at most ${noteLengthLimit} characters`));
  }
  if (namespace) for (const msg of isDNS1123Subdomain(namespace)) errs.push(invalid('namespace', namespace, msg));
  return errs;
}

// ---- table (printEvent) ----

function sourceCell(obj: KubeObject): string {
  const source = recordAt(obj, 'source');
  const component = stringAt(source, 'component') || stringAt(obj, 'reportingComponent') || '';
  const host = stringAt(source, 'host') || stringAt(obj, 'reportingInstance') || '';
  return host ? `${component}, ${host}` : component;
}

function eventCells(obj: KubeObject, now: Date): unknown[] {
  const first = stringAt(obj, 'firstTimestamp') ? age(stringAt(obj, 'firstTimestamp'), now) : age(stringAt(obj, 'eventTime'), now);
  let last = stringAt(obj, 'lastTimestamp') ? age(stringAt(obj, 'lastTimestamp'), now) : first;
  let count = typeof obj.count === 'number' ? obj.count : 0;
  const series = recordAt(obj, 'series');
  if (series) {
    last = age(stringAt(series, 'lastObservedTime'), now);
    count = typeof series.count === 'number' ? series.count : 0;
  } else if (count === 0) {
    count = 1; // singleton events written through events.k8s.io carry no count
  }
  const involved = recordAt(obj, 'involvedObject');
  const kind = (stringAt(involved, 'kind') ?? '').toLowerCase();
  const name = stringAt(involved, 'name');
  const target = name ? `${kind}/${name}` : kind;
  return [last, stringAt(obj, 'type') ?? '', stringAt(obj, 'reason') ?? '', target, stringAt(involved, 'fieldPath') ?? '', sourceCell(obj), (stringAt(obj, 'message') ?? '').trim(), first, count, nameOf(obj)];
}

const col = (name: string, description: string, priority = 0, extra: Partial<TableColumn> = {}): TableColumn => ({ name, type: 'string', description, priority, ...extra });

const involvedField = (key: string) => (obj: KubeObject) => stringAt(recordAt(obj, 'involvedObject'), key) ?? '';
const topField = (key: string) => (obj: KubeObject) => stringAt(obj, key) ?? '';

export const event: ResourceDefinition = {
  group: '',
  kind: 'Event',
  resource: 'events',
  singular: 'event',
  shortNames: ['ev'],
  namespaced: true,
  versions: [{ version: 'v1' }],
  selectableFields: {
    'involvedObject.kind': involvedField('kind'),
    'involvedObject.namespace': involvedField('namespace'),
    'involvedObject.name': involvedField('name'),
    'involvedObject.uid': involvedField('uid'),
    'involvedObject.apiVersion': involvedField('apiVersion'),
    'involvedObject.resourceVersion': involvedField('resourceVersion'),
    'involvedObject.fieldPath': involvedField('fieldPath'),
    reason: topField('reason'),
    reportingComponent: topField('reportingComponent'),
    source: (obj) => stringAt(recordAt(obj, 'source'), 'component') ?? '',
    type: topField('type'),
  },

  validate: validateEvent,

  table: {
    columns: [
      col('Last Seen', 'When the event was last seen.'),
      col('Type', 'Normal or Warning.'),
      col('Reason', 'Why the action was taken, in one word.'),
      col('Object', 'The object the event is about.'),
      col('Subobject', 'The part of the object (a container) the event is about.', 1),
      col('Source', 'The component that reported the event.', 1),
      col('Message', 'What happened, for humans.'),
      col('First Seen', 'When the event was first seen.', 1),
      col('Count', 'How many times the event occurred.', 1),
      col('Name', 'The name of the event.', 1, { format: 'name' }),
    ],
    cells: eventCells,
  },
};
