import { describe, expect, it } from 'vitest';
import { serviceAccount } from '../../../../src-main/api/resources/serviceaccount.ts';
import { create, fields } from './nonworkload-helpers.ts';

describe('ServiceAccount', () => {
  it('accepts secrets and imagePullSecrets references; validates the name', async () => {
    const ok = await create(serviceAccount, { metadata: { name: 'build-robot' }, secrets: [{ name: 't' }], imagePullSecrets: [{ name: 'regcred' }] });
    expect(ok.errors).toEqual([]);
    expect(fields((await create(serviceAccount, { metadata: { name: 'Build_Robot' } })).errors)).toEqual(['metadata.name']);
    expect(fields((await create(serviceAccount, { metadata: { name: 'x' }, automountServiceAccountToken: 'yes' })).errors)).toEqual(['automountServiceAccountToken']);
  });

  it('prints NAME SECRETS AGE', () => {
    expect(serviceAccount.shortNames).toEqual(['sa']);
    const sa = { metadata: { name: 'default', creationTimestamp: '2026-01-01T00:00:00Z' }, secrets: [{ name: 'a' }, { name: 'b' }] };
    expect(serviceAccount.table?.cells(sa, new Date('2026-01-11T00:00:00Z'))).toEqual(['default', 2, '10d']);
  });
});
