import { describe, expect, it } from 'vitest';
import { parseCertificateRequest } from '../../../src-main/auth/certificates/certificate-request.ts';
import { kubeAPIServerClientProblem, kubeletClientProblem, kubeletServingProblem } from '../../../src-main/controllers/certificates/csr-helpers.ts';
import { handBuiltCSR } from '../auth/csr-der.ts';

const req = (cn: string, org: string, sans?: { dns?: string[]; ips?: string[] }) => parseCertificateRequest(handBuiltCSR(cn, org, sans).pem);
const client = ['digital signature', 'key encipherment', 'client auth'];
const serving = ['digital signature', 'key encipherment', 'server auth'];

describe("the kubelet signers' rules (upstream's ValidateKubeletClientCSR / ValidateKubeletServingCSR)", () => {
  it('takes a node client request with or without key encipherment, nothing else', () => {
    const ok = req('system:node:n1', 'system:nodes');
    expect(kubeletClientProblem(ok, client)).toBeUndefined();
    expect(kubeletClientProblem(ok, ['digital signature', 'client auth'])).toBeUndefined();
    expect(kubeletClientProblem(ok, serving)).toBe('usages did not match [client auth digital signature key encipherment]');
    expect(kubeletClientProblem(req('system:node:n1', 'system:masters'), client)).toBe('subject organization is not system:nodes');
    expect(kubeletClientProblem(req('alice', 'system:nodes'), client)).toBe('subject common name does not begin with system:node:');
    expect(kubeletClientProblem(req('system:node:n1', 'system:nodes', { dns: ['n1'] }), client)).toBe('DNS subjectAltNames are not allowed');
    expect(kubeletClientProblem(req('system:node:n1', 'system:nodes', { ips: ['10.0.0.1'] }), client)).toBe('IP subjectAltNames are not allowed');
  });

  it('takes a node serving request with a DNS or IP name and server usages', () => {
    expect(kubeletServingProblem(req('system:node:n1', 'system:nodes', { dns: ['n1'], ips: ['10.0.0.1'] }), serving)).toBeUndefined();
    expect(kubeletServingProblem(req('system:node:n1', 'system:nodes'), serving)).toBe('DNS or IP subjectAltName is required');
    expect(kubeletServingProblem(req('system:node:n1', 'system:nodes', { dns: ['n1'] }), client)).toBe('usages did not match [digital signature key encipherment server auth]');
    expect(kubeletServingProblem(req('n1', 'system:nodes', { dns: ['n1'] }), serving)).toBe('subject common name does not begin with system:node:');
  });

  it('takes any subject for kube-apiserver-client, with client usages only', () => {
    expect(kubeAPIServerClientProblem(client)).toBeUndefined();
    expect(kubeAPIServerClientProblem(['client auth', 'server auth'])).toBe('invalid usage for client certificate: server auth');
  });
});
