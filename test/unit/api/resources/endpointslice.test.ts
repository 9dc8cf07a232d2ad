import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../../../../src-main/api/field-errors.ts';
import { endpointSlice } from '../../../../src-main/api/resources/endpointslice.ts';
import { create, fields, update } from './nonworkload-helpers.ts';

const slice = (extra: Record<string, unknown>) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'web-abc', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['10.42.0.5'], conditions: { ready: true } }],
  ports: [{ name: 'http', port: 80 }],
  ...extra,
});

describe('EndpointSlice', () => {
  it('defaults port protocol and name', async () => {
    const { obj, errors } = await create(endpointSlice, slice({ ports: [{ port: 80 }] }));
    expect(errors).toEqual([]);
    expect(obj.ports).toEqual([{ name: '', port: 80, protocol: 'TCP' }]);
  });

  it('requires a known addressType and addresses of that type', async () => {
    expect(fields((await create(endpointSlice, slice({ addressType: undefined }))).errors)).toEqual(['addressType']);
    const { errors } = await create(endpointSlice, slice({ addressType: 'IPX' }));
    expect(formatFieldError(errors[0])).toBe('addressType: Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"');
    const wrong = await create(endpointSlice, slice({ addressType: 'IPv6' }));
    expect(fields(wrong.errors)).toEqual(['endpoints[0].addresses[0]']);
    const empty = await create(endpointSlice, slice({ endpoints: [{ addresses: [] }] }));
    expect(empty.errors.map(formatFieldError)).toEqual(['endpoints[0].addresses: Required value: must contain at least 1 address']);
  });

  it('keeps addressType on update', async () => {
    const { obj: old } = await create(endpointSlice, slice({}));
    const { errors } = await update(endpointSlice, slice({ addressType: 'FQDN', endpoints: [{ addresses: ['web.example.com'] }] }), old);
    expect(errors.map(formatFieldError)).toEqual(['addressType: Invalid value: "FQDN": field is immutable']);
  });

  it('prints NAME ADDRESSTYPE PORTS ENDPOINTS AGE', async () => {
    const { obj } = await create(endpointSlice, slice({ endpoints: ['1', '2', '3', '4', '5'].map((n) => ({ addresses: [`10.42.0.${n}`] })) }));
    expect(endpointSlice.table?.columns.map((c) => c.name)).toEqual(['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
    expect(endpointSlice.table?.cells(obj, new Date('2026-01-01T00:00:05Z'))).toEqual(['web-abc', 'IPv4', '80', '10.42.0.1,10.42.0.2,10.42.0.3 + 2 more...', '5s']);
    const bare = await create(endpointSlice, slice({ endpoints: [], ports: [] }));
    expect(endpointSlice.table?.cells(bare.obj, new Date()).slice(2, 4)).toEqual(['<unset>', '<unset>']);
  });
});
