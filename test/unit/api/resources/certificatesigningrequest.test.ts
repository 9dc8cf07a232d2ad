import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../../../../src-main/api/field-errors.ts';
import { certificateSigningRequest as csrDef } from '../../../../src-main/api/resources/certificatesigningrequest.ts';
import type { KubeObject } from '../../../../src-main/api/resources/types.ts';
import { handBuiltCSR, toPem } from '../../auth/csr-der.ts';
import { create, strategyContext, update } from './nonworkload-helpers.ts';

const node = handBuiltCSR('system:node:n1', 'system:nodes');
const manifest = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'certificates.k8s.io/v1',
  kind: 'CertificateSigningRequest',
  metadata: { name: 'csr-1' },
  spec: { request: node.request, signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'], ...spec },
});
const user = { name: 'system:node:n1', uid: 'u-1', groups: ['system:nodes', 'system:authenticated'] };
const messages = async (spec: Record<string, unknown>) => (await create(csrDef, manifest(spec))).errors.map(formatFieldError);

describe('CertificateSigningRequest', () => {
  it('records the requestor from the authenticated user, whatever the body says', async () => {
    const { obj, errors } = await create(csrDef, manifest({ username: 'system:admin', groups: ['system:masters'] }), { ...strategyContext(), user });
    expect(errors).toEqual([]);
    expect(obj.spec).toMatchObject({ username: 'system:node:n1', uid: 'u-1', groups: ['system:nodes', 'system:authenticated'] });
  });

  it('refuses a request that is not a PEM CERTIFICATE REQUEST or whose signature does not verify', async () => {
    expect(await messages({ request: Buffer.from('hello').toString('base64') })).toEqual([`spec.request: Invalid value: "aGVsbG8=": PEM block type must be CERTIFICATE REQUEST`]);
    const cert = Buffer.from(toPem(node.der, 'CERTIFICATE')).toString('base64');
    expect(await messages({ request: cert })).toEqual([`spec.request: Invalid value: ${JSON.stringify(cert)}: PEM block type must be CERTIFICATE REQUEST`]);
    const tampered = Buffer.from(node.der);
    tampered[tampered.length - 3] ^= 0xff;
    const bad = Buffer.from(toPem(tampered)).toString('base64');
    expect(await messages({ request: bad })).toEqual([`spec.request: Invalid value: ${JSON.stringify(bad)}: x509: ECDSA verification failure`]);
  });

  it('requires a qualified signerName, known distinct usages and at least ten minutes', async () => {
    expect(await messages({ signerName: undefined })).toEqual(['spec.signerName: Required value']);
    expect(await messages({ signerName: 'kubelet' })).toEqual([`spec.signerName: Invalid value: "kubelet": must be a fully qualified domain and path of the form 'example.com/signer-name'`]);
    const usages = await messages({ usages: ['client auth', 'flying', 'client auth'] });
    expect(usages).toHaveLength(2);
    expect(usages[0]).toMatch(/^spec\.usages\[1\]: Unsupported value: "flying": supported values: "signing", "digital signature"/);
    expect(usages[1]).toBe('spec.usages[2]: Duplicate value: "client auth"');
    expect(await messages({ expirationSeconds: 599 })).toEqual(['spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds (10 minutes)']);
    expect(await messages({ expirationSeconds: 600 })).toEqual([]);
    // Absent usages default as upstream's v1 defaults them.
    expect((await create(csrDef, manifest({ usages: undefined }))).obj.spec).toMatchObject({ usages: ['digital signature', 'key encipherment'] });
  });

  it('keeps the spec as created', async () => {
    const { obj: old } = await create(csrDef, manifest(), { ...strategyContext(), user });
    const other = handBuiltCSR('system:node:n2', 'system:nodes');
    const { errors } = await update(csrDef, { ...old, spec: { ...(old.spec as object), request: other.request } }, old);
    expect(errors.map((e) => [e.field, e.type, e.detail])).toEqual([['spec', 'FieldValueInvalid', 'field is immutable']]);
  });

  it('lets the approval subresource change only the conditions, with their times', async () => {
    const { obj: old } = await create(csrDef, manifest(), { ...strategyContext(), user });
    // The generic strategy has put the old spec back already; the kind keeps the certificate out.
    const obj = { ...structuredClone(old), status: { certificate: 'Zm9v', conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove' }] } } as KubeObject;
    await csrDef.prepareForUpdate!(obj, old, { ...strategyContext(), subresource: 'approval' });
    expect(obj.status).toMatchObject({ conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove' }] });
    expect((obj.status as Record<string, unknown>).certificate).toBeUndefined();
    expect((obj.status as { conditions: { lastUpdateTime?: string }[] }).conditions[0].lastUpdateTime).toMatch(/Z$/);
  });

  it('refuses Approved with Denied, conditions other than True, and removing a decision', async () => {
    const { obj: old } = await create(csrDef, manifest());
    const withConditions = (conditions: unknown[]) => ({ ...structuredClone(old), status: { conditions } }) as KubeObject;
    const both = withConditions([{ type: 'Approved', status: 'True' }, { type: 'Denied', status: 'False' }]);
    expect(csrDef.validateSubresourceUpdate!(both, old, 'approval').map(formatFieldError)).toEqual([
      `status.conditions[1].status: Invalid value: "False": Denied condition may only be set to 'True'`,
      'status.conditions: Invalid value: "": Approved and Denied conditions are mutually exclusive',
    ]);
    const approved = withConditions([{ type: 'Approved', status: 'True' }]);
    expect(csrDef.validateSubresourceUpdate!(withConditions([]), approved, 'approval').map(formatFieldError)).toEqual([
      'status.conditions: Forbidden: updates may not remove a condition of type "Approved"',
    ]);
  });

  it('prints NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION', async () => {
    const { obj } = await create(csrDef, manifest({ expirationSeconds: 86400 }), { ...strategyContext(), user });
    obj.status = { conditions: [{ type: 'Approved', status: 'True' }], certificate: 'Zm9v' };
    expect(csrDef.table!.columns.map((c) => c.name)).toEqual(['Name', 'Age', 'SignerName', 'Requestor', 'RequestedDuration', 'Condition']);
    expect(csrDef.table!.cells(obj, new Date('2026-01-01T00:05:00Z'))).toEqual(['csr-1', '5m', 'kubernetes.io/kube-apiserver-client-kubelet', 'system:node:n1', '24h', 'Approved,Issued']);
    obj.status = {};
    delete (obj.spec as Record<string, unknown>).expirationSeconds;
    expect(csrDef.table!.cells(obj, new Date('2026-01-01T00:05:00Z')).slice(4)).toEqual(['<none>', 'Pending']);
  });
});
