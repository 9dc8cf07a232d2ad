// The certificates admission plugins: approving needs `approve` on the signer (or its domain's
// `/*`), issuing needs `sign`, and no kube-apiserver-client certificate is for system:masters.
import { describe, expect, it } from 'vitest';
import type { Attributes, Authorizer } from '../../../src-main/auth/authorizer.ts';
import { certificateApproval, certificateSigning, certificateSubjectRestriction } from '../../../src-main/api/admission/certificates.ts';
import type { AdmissionAttributes } from '../../../src-main/api/admission/admission.ts';
import type { KubeObject } from '../../../src-main/api/resources/types.ts';
import { handBuiltCSR } from '../auth/csr-der.ts';

const user = { name: 'erin', groups: ['system:authenticated'] };
const csr = (signerName: string, status: Record<string, unknown> = {}, request = handBuiltCSR('system:node:n1', 'system:nodes').request): KubeObject => ({
  metadata: { name: 'csr-1' }, spec: { request, signerName, usages: ['client auth'] }, status,
});
const attrs = (operation: AdmissionAttributes['operation'], subresource: string | undefined, obj: KubeObject, old?: KubeObject): AdmissionAttributes => ({
  operation, user, group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource, name: 'csr-1', obj, old,
});

/** Allows only the (verb, signer name) pairs given, and records what it was asked. */
function authorizer(allowed: string[]): Authorizer & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    authorize: (a: Attributes) => {
      asked.push(`${a.verb} ${a.group}/${a.resource} ${a.name}`);
      return allowed.includes(`${a.verb} ${a.name}`) ? { decision: 'allow' } : { decision: 'no-opinion' };
    },
  };
}

describe('certificates admission', () => {
  const old = csr('kubernetes.io/kube-apiserver-client-kubelet');
  const approved = csr('kubernetes.io/kube-apiserver-client-kubelet', { conditions: [{ type: 'Approved', status: 'True' }] });

  it('lets only who may approve the signer, or every signer of its domain, write the approval', async () => {
    const none = authorizer([]);
    await expect(async () => certificateApproval(none).validate(attrs('UPDATE', 'approval', approved, old))).rejects.toMatchObject({
      code: 403,
      message: 'certificatesigningrequests.certificates.k8s.io "csr-1" is forbidden: user not permitted to approve requests with signerName "kubernetes.io/kube-apiserver-client-kubelet"',
    });
    expect(none.asked).toEqual(['approve certificates.k8s.io/signers kubernetes.io/kube-apiserver-client-kubelet', 'approve certificates.k8s.io/signers kubernetes.io/*']);
    await certificateApproval(authorizer(['approve kubernetes.io/*'])).validate(attrs('UPDATE', 'approval', approved, old));
    // The main resource and its status are not the approval plugin's.
    await certificateApproval(none).validate(attrs('UPDATE', undefined, approved, old));
  });

  it('lets only who may sign for the signer put a certificate in status', async () => {
    const issued = csr('kubernetes.io/kube-apiserver-client-kubelet', { certificate: 'Zm9v' });
    await expect(async () => certificateSigning(authorizer([])).validate(attrs('UPDATE', 'status', issued, old))).rejects.toMatchObject({
      code: 403, message: expect.stringContaining('user not permitted to sign requests with signerName "kubernetes.io/kube-apiserver-client-kubelet"'),
    });
    await certificateSigning(authorizer(['sign kubernetes.io/kube-apiserver-client-kubelet'])).validate(attrs('UPDATE', 'status', issued, old));
    // A status write that leaves the certificate as it was (a Failed condition) needs nothing.
    await certificateSigning(authorizer([])).validate(attrs('UPDATE', 'status', approved, old));
  });

  it('refuses a kube-apiserver-client request for system:masters', async () => {
    const masters = csr('kubernetes.io/kube-apiserver-client', {}, handBuiltCSR('mallory', 'system:masters').request);
    expect(() => certificateSubjectRestriction.validate(attrs('CREATE', undefined, masters))).toThrow(
      'certificatesigningrequests.certificates.k8s.io "csr-1" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed',
    );
    certificateSubjectRestriction.validate(attrs('CREATE', undefined, csr('kubernetes.io/kube-apiserver-client')));
    certificateSubjectRestriction.validate(attrs('CREATE', undefined, { ...masters, spec: { ...(masters.spec as object), signerName: 'example.com/mine' } }));
  });
});
