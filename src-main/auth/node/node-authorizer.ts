// What a node's own credential (system:node:<name> in system:nodes) may do, as upstream's Node
// authorizer decides it: read what its pods need — the Secrets, ConfigMaps, claims and
// ServiceAccount tokens of pods bound to it, found through the pod graph — and the Services,
// EndpointSlices and Nodes its proxy, DNS and routes follow; write only its own Node, Lease and
// its pods' status, and events. Anything else is refused, so an agent on a compromised machine
// cannot read another node's secrets. What the bodies of its writes may say (its own Node's name
// on create, no labels it may not set) is the NodeRestriction admission's (node-restriction.ts).
import type { Attributes, Authorizer, Decision } from '../authorizer.ts';
import { CACERTS_PATH, NODE_CREDENTIAL_PATH } from '../join-protocol.ts';
import { nodeIdentity } from './node-identity.ts';
import type { NodeGraph, ReferencedKind } from './node-graph.ts';

const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const allow: Decision = { decision: 'allow' };
const read = new Set(['get', 'list', 'watch']);
const write = new Set(['create', 'update', 'patch']);
/** Cluster-wide objects every node's agent reads: its service proxy, DNS and routes. */
const followed = new Set(['/services', '/endpoints', 'discovery.k8s.io/endpointslices', '/nodes']);
/** ConfigMaps any node reads that no pod refers to: the service proxy's settings. */
const nodeConfigMaps = new Set(['kube-system/kube-proxy']);
const DISCOVERY = /^\/(api|apis|version|healthz|livez|readyz|openapi)(\/|$)/;

/** The list or watch names the node in spec.nodeName (`spec.nodeName=N`, also `==`). */
function selectsNode(fieldSelector: string | undefined, node: string): boolean {
  return (fieldSelector ?? '').split(',').some((term) => {
    const m = /^\s*spec\.nodeName\s*==?\s*(\S*)\s*$/.exec(term);
    return m?.[1] === node;
  });
}

export class NodeAuthorizer implements Authorizer {
  constructor(private readonly graph: NodeGraph) {}

  authorize(a: Attributes): Decision {
    const node = nodeIdentity(a.user);
    if (node === undefined) return { decision: 'no-opinion' };
    if (!a.resourceRequest) return this.path(a) ? allow : this.refuse(node, 'this path');
    return this.resource(node, a) ? allow : this.refuse(node, a.name ? 'this object' : 'these objects');
  }

  /** Discovery, and the join's paths: the credential issuer answers a node itself (it renews nothing yet). */
  private path(a: Attributes): boolean {
    if (a.verb === 'get') return DISCOVERY.test(a.path ?? '') || a.path === CACERTS_PATH;
    return a.verb === 'post' && a.path === NODE_CREDENTIAL_PATH;
  }

  private refuse(node: string, what: string): Decision {
    return { decision: 'deny', reason: `no relationship found between node '${node}' and ${what}` };
  }

  private resource(node: string, a: Attributes): boolean {
    const ns = a.namespace ?? '';
    const name = a.name ?? '';
    const target = `${a.group ?? ''}/${a.resource}${a.subresource ? `/${a.subresource}` : ''}`;
    const referred = (kind: ReferencedKind) => a.verb === 'get' && this.graph.refers(node, kind, ns, name);
    switch (target) {
      case '/nodes':
        // Any node's addresses and podCIDR (routes); its own Node to register and keep.
        return read.has(a.verb) || (write.has(a.verb) && (a.verb === 'create' || name === node)) || (a.verb === 'delete' && name === node);
      case '/nodes/status':
        return (read.has(a.verb) || write.has(a.verb)) && name === node;
      case 'coordination.k8s.io/leases':
        return ns === NODE_LEASE_NAMESPACE && (a.verb === 'create' || ((a.verb === 'get' || write.has(a.verb) || a.verb === 'delete') && name === node));
      case '/pods':
        if (a.verb === 'list' || a.verb === 'watch') return selectsNode(a.fieldSelector, node);
        return (a.verb === 'get' || a.verb === 'delete') && this.graph.runs(node, ns, name);
      case '/pods/status':
        return (a.verb === 'get' || write.has(a.verb)) && this.graph.runs(node, ns, name);
      case '/pods/eviction':
        return a.verb === 'create' && this.graph.runs(node, ns, name);
      case '/secrets':
        return referred('secrets');
      case '/configmaps':
        return referred('configmaps') || (a.verb === 'get' && nodeConfigMaps.has(`${ns}/${name}`));
      case '/persistentvolumeclaims':
        return referred('persistentvolumeclaims');
      case '/serviceaccounts':
        return referred('serviceaccounts');
      case '/serviceaccounts/token':
        return a.verb === 'create' && this.graph.refers(node, 'serviceaccounts', ns, name);
      case '/events':
      case 'events.k8s.io/events':
        return write.has(a.verb);
      // Its own certificates, as upstream's NodeRules: ask for them, follow them, and renew its
      // client certificate (what the CSR approver checks); approving and signing are not a node's.
      case 'certificates.k8s.io/certificatesigningrequests':
        return a.verb === 'create' || read.has(a.verb);
      case 'certificates.k8s.io/certificatesigningrequests/selfnodeclient':
        return a.verb === 'create';
      default:
        return followed.has(target) && read.has(a.verb);
    }
  }
}
