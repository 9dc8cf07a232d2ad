// Upstream's csrapproving controller: approves a kubelet's client certificate request when a
// SubjectAccessReview says its requestor may create certificatesigningrequests/selfnodeclient (a
// node renewing its own) or /nodeclient (a bootstrap credential asking for a node's). Beyond
// upstream, which leaves serving certificates to an external approver (kubelet-csr-approver; k3s
// signs them itself), it approves a kubelet-serving request when it names only what the node is:
// requestor system:node:X, CN system:node:X, every IP one of Node X's addresses (or loopback),
// every DNS name X, its Hostname or localhost; or when the requestor may itself approve
// kubelet-serving (an agent on an admin credential). Everything else waits for a person.
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1';
import type { Node } from 'kubernetes-types/core/v1';
import type { SubjectAccessReview } from 'kubernetes-types/authorization/v1';
import { gvr } from '../client/resources.ts';
import { NODE_USER_PREFIX } from '../auth/join-protocol.ts';
import type { CertificateRequestInfo } from '../auth/certificates/certificate-request.ts';
import { normalizeIP } from '../agent/dns/dns-names.ts';
import type { ControllerContext } from './context.ts';
import { QueueController, type ReconcileResult } from './queue-controller.ts';
import { conditionTime, csrGVR, isDecided, KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER, kubeletClientProblem, kubeletServingProblem, requestOf } from './certificates/csr-helpers.ts';

const sarGVR = { group: 'authorization.k8s.io', version: 'v1', resource: 'subjectaccessreviews' } as const;
const LOOPBACK = new Set(['127.0.0.1', '::1']);

type ResourceAttributes = NonNullable<SubjectAccessReview['spec']['resourceAttributes']>;

interface Recognizer {
  recognize(csr: CertificateSigningRequest, req: CertificateRequestInfo): boolean;
  /** What the requestor must be allowed (a SubjectAccessReview), or a check of its own. */
  permission?: ResourceAttributes;
  allowed?(csr: CertificateSigningRequest, req: CertificateRequestInfo): boolean;
  message: string;
}

const csrPermission = (subresource: string): ResourceAttributes => ({ group: csrGVR.group, resource: csrGVR.resource, verb: 'create', subresource, version: '*' });

const isNodeClient = (csr: CertificateSigningRequest, req: CertificateRequestInfo) =>
  csr.spec.signerName === KUBELET_CLIENT_SIGNER && kubeletClientProblem(req, csr.spec.usages ?? []) === undefined;
/** A node's own serving request: requestor and subject are the same node. */
const isSelfNodeServing = (csr: CertificateSigningRequest, req: CertificateRequestInfo) =>
  csr.spec.signerName === KUBELET_SERVING_SIGNER && kubeletServingProblem(req, csr.spec.usages ?? []) === undefined && csr.spec.username === req.commonName;

export class CSRApprovingController extends QueueController {
  private readonly csrs;
  private readonly nodes;
  private readonly recognizers: Recognizer[] = [
    {
      recognize: (csr, req) => isNodeClient(csr, req) && csr.spec.username === req.commonName,
      permission: csrPermission('selfnodeclient'),
      message: 'Auto approving self kubelet client certificate after SubjectAccessReview.',
    },
    { recognize: isNodeClient, permission: csrPermission('nodeclient'), message: 'Auto approving kubelet client certificate after SubjectAccessReview.' },
    { recognize: isSelfNodeServing, allowed: (_csr, req) => this.namesOnlyItsNode(req), message: "Auto approving kubelet serving certificate: it names only the node's own names and addresses." },
    {
      recognize: (csr, req) => csr.spec.signerName === KUBELET_SERVING_SIGNER && kubeletServingProblem(req, csr.spec.usages ?? []) === undefined,
      permission: { group: csrGVR.group, resource: 'signers', verb: 'approve', name: KUBELET_SERVING_SIGNER, version: '*' },
      message: 'Auto approving kubelet serving certificate after SubjectAccessReview: its requestor may approve kubelet-serving.',
    },
  ];

  constructor(ctx: ControllerContext) {
    super('csr-approving', ctx, 1);
    this.csrs = ctx.informers.informer<CertificateSigningRequest>(csrGVR);
    this.nodes = ctx.informers.informer<Node>(gvr.nodes);
    this.csrs.on('add', this.enqueue).on('update', (_o, n) => this.enqueue(n));
    // A serving request may come before its node has reported its addresses.
    const nodeChanged = (node: Node): void => {
      for (const csr of this.csrs.list()) if (!isDecided(csr) && csr.spec.username === `${NODE_USER_PREFIX}${node.metadata?.name}`) this.enqueue(csr);
    };
    this.nodes.on('add', nodeChanged).on('update', (_o, n) => nodeChanged(n));
  }

  async reconcile(name: string): Promise<ReconcileResult> {
    const csr = this.csrs.get(name);
    if (!csr || csr.status?.certificate || isDecided(csr)) return;
    let req: CertificateRequestInfo;
    try {
      req = requestOf(csr);
    } catch {
      return; // Validation let it in; a request that no longer parses is not ours to approve.
    }
    for (const r of this.recognizers) {
      if (!r.recognize(csr, req)) continue;
      const allowed = r.permission ? await this.requestorMay(csr, r.permission) : r.allowed!(csr, req);
      if (allowed) return this.approve(csr, r.message);
    }
  }

  /** A SubjectAccessReview for the requestor as the CSR records it. */
  private async requestorMay(csr: CertificateSigningRequest, resourceAttributes: ResourceAttributes): Promise<boolean> {
    const review: SubjectAccessReview = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: csr.spec.username, uid: csr.spec.uid, groups: csr.spec.groups, extra: csr.spec.extra, resourceAttributes },
    };
    const answer = await this.ctx.client.create<SubjectAccessReview & { metadata: Record<string, never> }>(sarGVR, review as SubjectAccessReview & { metadata: Record<string, never> });
    return answer.status?.allowed === true;
  }

  /** Every SAN is one of the node's own names or addresses (or loopback / localhost). */
  private namesOnlyItsNode(req: CertificateRequestInfo): boolean {
    const nodeName = req.commonName.slice(NODE_USER_PREFIX.length);
    const node = this.nodes.get(nodeName);
    if (!node) return false;
    const addresses = node.status?.addresses ?? [];
    const ips = new Set([...LOOPBACK, ...addresses.map((a) => normalizeIP(a.address))]);
    const names = new Set(['localhost', nodeName, ...addresses.filter((a) => a.type === 'Hostname').map((a) => a.address)]);
    return req.ipAddresses.every((ip) => ips.has(normalizeIP(ip))) && req.dnsNames.every((d) => names.has(d));
  }

  private async approve(csr: CertificateSigningRequest, message: string): Promise<void> {
    const now = conditionTime(this.ctx.clock.now());
    const conditions = [...(csr.status?.conditions ?? []), { type: 'Approved', status: 'True', reason: 'AutoApproved', message, lastUpdateTime: now }];
    const body = { ...csr, apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', status: { ...csr.status, conditions } };
    await this.ctx.client.request('PUT', `/apis/certificates.k8s.io/v1/certificatesigningrequests/${encodeURIComponent(csr.metadata!.name!)}/approval`, body);
    this.ctx.log(`csr-approving: approved ${csr.metadata!.name} of ${csr.spec.username} (${csr.spec.signerName})`);
  }
}
