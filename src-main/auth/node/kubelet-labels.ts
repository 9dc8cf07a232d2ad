// The labels a node may set on its own Node (upstream's kubelet well-known labels and
// NodeRestriction's label rules). Labels under node-restriction.kubernetes.io/ are the admin's
// way to steer workloads to nodes a node cannot claim to be, and other kubernetes.io / k8s.io
// labels carry meaning the cluster trusts; a node setting them could draw privileged pods to itself.

/** The kubernetes.io labels the kubelet sets itself. */
const kubeletLabels = new Set([
  'kubernetes.io/hostname',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'node.kubernetes.io/instance-type',
  'beta.kubernetes.io/instance-type',
]);
/** Prefixes (and their subdomains) left to the kubelet. */
const kubeletNamespaces = ['kubelet.kubernetes.io', 'node.kubernetes.io'];
const NODE_RESTRICTION_NAMESPACE = 'node-restriction.kubernetes.io';

/** The key's prefix before '/', '' without one. */
function labelNamespace(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
}

const inDomain = (namespace: string, domain: string) => namespace === domain || namespace.endsWith(`.${domain}`);

function isKubeletLabel(key: string): boolean {
  return kubeletLabels.has(key) || kubeletNamespaces.some((ns) => inDomain(labelNamespace(key), ns));
}

function isKubernetesLabel(key: string): boolean {
  const ns = labelNamespace(key);
  return inDomain(ns, 'kubernetes.io') || inDomain(ns, 'k8s.io');
}

/** The keys added, removed or changed between two label sets. */
export function modifiedLabels(next: Record<string, string> = {}, old: Record<string, string> = {}): string[] {
  const keys = new Set([...Object.keys(next), ...Object.keys(old)]);
  return [...keys].filter((k) => next[k] !== old[k]);
}

/** Of the keys, those a node may not add, remove or change, sorted as upstream lists them. */
export function forbiddenNodeLabels(keys: string[]): string[] {
  return keys.filter((k) => inDomain(labelNamespace(k), NODE_RESTRICTION_NAMESPACE) || (isKubernetesLabel(k) && !isKubeletLabel(k))).sort();
}
