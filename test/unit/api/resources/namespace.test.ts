import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../../../../src-main/api/field-errors.ts';
import { namespace } from '../../../../src-main/api/resources/namespace.ts';
import { create, fields, strategyContext, update } from './nonworkload-helpers.ts';

describe('Namespace', () => {
  it('is born Active with the kubernetes finalizer and its name label', async () => {
    const { obj, errors } = await create(namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' }, status: { phase: 'Terminating' } });
    expect(errors).toEqual([]);
    expect(obj.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(obj.status).toEqual({ phase: 'Active' });
    expect(obj.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'dev' });
    expect(obj.metadata.namespace).toBeUndefined();
  });

  it('takes a DNS-1123 label as name, not a subdomain', async () => {
    const { errors } = await create(namespace, { metadata: { name: 'a.b' } });
    expect(fields(errors)).toEqual(['metadata.name']);
    expect(formatFieldError(errors[0])).toMatch(/^metadata\.name: Invalid value: "a\.b": a lowercase RFC 1123 label must consist of/);
  });

  it('refuses finalizers that are neither standard nor qualified', async () => {
    const { errors } = await create(namespace, { metadata: { name: 'x' }, spec: { finalizers: ['mine'] } });
    expect(errors.map(formatFieldError)).toEqual(['spec.finalizers[0]: Invalid value: "mine": name is neither a standard finalizer name nor is it fully qualified']);
    expect((await create(namespace, { metadata: { name: 'x' }, spec: { finalizers: ['example.com/mine'] } })).errors).toEqual([]);
  });

  it('lets only the finalize call remove the kubernetes finalizer, keeping the status', async () => {
    const { obj: old } = await create(namespace, { metadata: { name: 'x' } });
    const finalize = { ...strategyContext(), subresource: 'finalize' };
    const { obj, errors } = await update(namespace, { metadata: { name: 'x' }, spec: { finalizers: [] } }, old, finalize);
    expect(errors).toEqual([]);
    expect(obj.spec).toEqual({ finalizers: [] });
    expect(obj.status).toEqual({ phase: 'Active' });
    const { obj: plain } = await update(namespace, { metadata: { name: 'x' }, spec: { finalizers: [] } }, old);
    expect(plain.spec).toEqual({ finalizers: ['kubernetes'] });
  });

  it('selects by status.phase and prints NAME STATUS AGE', async () => {
    const { obj } = await create(namespace, { metadata: { name: 'dev' } });
    expect(namespace.selectableFields?.['status.phase'](obj)).toBe('Active');
    expect(namespace.shortNames).toEqual(['ns']);
    expect(namespace.table?.columns.map((c) => c.name)).toEqual(['Name', 'Status', 'Age']);
    expect(namespace.table?.cells(obj, new Date('2026-01-03T00:00:00Z'))).toEqual(['dev', 'Active', '2d']);
  });
});
