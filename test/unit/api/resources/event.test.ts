import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../../../../src-main/api/field-errors.ts';
import { event } from '../../../../src-main/api/resources/event.ts';
import type { KubeObject } from '../../../../src-main/api/resources/types.ts';
import { create, fields } from './nonworkload-helpers.ts';

const ev = (extra: Record<string, unknown>, namespace = 'default'): KubeObject => ({
  metadata: { name: 'web.17a', namespace },
  involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', fieldPath: 'spec.containers{web}' },
  reason: 'Pulled',
  message: 'Container image pulled ',
  type: 'Normal',
  source: { component: 'kubelet', host: 'worker-1' },
  firstTimestamp: '2026-01-01T00:00:00Z',
  lastTimestamp: '2026-01-01T00:10:00Z',
  count: 3,
  ...extra,
});

describe('core/v1 Event', () => {
  it('accepts an event in its object namespace and refuses another', async () => {
    expect((await create(event, ev({}))).errors).toEqual([]);
    const { errors } = await create(event, ev({}, 'other'));
    expect(errors.map(formatFieldError)).toEqual(['involvedObject.namespace: Invalid value: "default": does not match event.namespace']);
  });

  it('lets events about cluster objects live in default', async () => {
    const nodeEvent = ev({ involvedObject: { kind: 'Node', name: 'worker-1' } });
    expect((await create(event, nodeEvent)).errors).toEqual([]);
    expect(fields((await create(event, { ...nodeEvent, metadata: { name: 'n', namespace: 'dev' } })).errors)).toEqual(['involvedObject.namespace']);
  });

  it('requires reporting fields on new-style events (with eventTime)', async () => {
    const { errors } = await create(event, ev({ eventTime: '2026-01-01T00:00:00.000000Z', reason: '' }));
    expect(fields(errors)).toEqual(['reportingComponent', 'reportingInstance', 'action', 'reason']);
  });

  it('selects on the involved object, reason, source and type', () => {
    const e = ev({});
    const sel = event.selectableFields ?? {};
    expect(sel['involvedObject.kind'](e)).toBe('Pod');
    expect(sel['involvedObject.name'](e)).toBe('web');
    expect(sel['involvedObject.fieldPath'](e)).toBe('spec.containers{web}');
    expect(sel.reason(e)).toBe('Pulled');
    expect(sel.source(e)).toBe('kubelet');
    expect(sel.type(e)).toBe('Normal');
  });

  it('prints upstream columns, wide ones at priority 1', () => {
    expect(event.table?.columns.map((c) => `${c.name}:${c.priority}`)).toEqual([
      'Last Seen:0', 'Type:0', 'Reason:0', 'Object:0', 'Subobject:1', 'Source:1', 'Message:0', 'First Seen:1', 'Count:1', 'Name:1',
    ]);
    expect(event.table?.cells(ev({}), new Date('2026-01-01T00:15:00Z'))).toEqual([
      '5m', 'Normal', 'Pulled', 'pod/web', 'spec.containers{web}', 'kubelet, worker-1', 'Container image pulled', '15m', 3, 'web.17a',
    ]);
  });

  it('counts a singleton event once and falls back to eventTime', () => {
    const e = ev({ firstTimestamp: undefined, lastTimestamp: undefined, count: undefined, eventTime: '2026-01-01T00:00:00.000000Z' });
    const cells = event.table?.cells(e, new Date('2026-01-01T00:00:42Z')) ?? [];
    expect([cells[0], cells[7], cells[8]]).toEqual(['42s', '42s', 1]);
  });
});
