// Malformed requests for the fuzz test. Every case is wrong in at least one way that upstream
// kube-apiserver refuses with a 4xx, whatever else the random choices add — so "only 4xx" is a
// fair expectation and no case can write. A seeded PRNG keeps a failing run reproducible.
import type { RawRequest } from './http.ts';

export interface FuzzCase extends RawRequest {
  label: string;
}

/** mulberry32: small, fast, good enough to pick cases. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JSON_CT = { 'Content-Type': 'application/json' };
const CM_PATH = '/api/v1/namespaces/default/configmaps';
const DEPLOY_PATH = '/apis/apps/v1/namespaces/default/deployments';
const POD_PATH = '/api/v1/namespaces/default/pods';

/** Names that no kind accepts (RFC 1123 subdomain / label rules). */
export const BAD_NAMES = [
  '', 'UPPER', 'has space', 'under_score', '-leading', 'trailing-', 'a..b', '.', '..', 'a/b', 'a%b',
  'x'.repeat(254), 'ünïcødé', 'a\u0000b', 'tab\tname', 'emoji-😀', '$(rm -rf)', '*', 'a:b', 'a@b',
];

/** Names for the namespace path segment that cannot be namespaces (label rules, ≤ 63). */
const BAD_NAMESPACES = ['UPPER', 'a.b', 'x'.repeat(64), 'under_score', '-x'];

const configMap = (name: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' }, ...extra,
});

const deployment = (mutate: (d: any) => void): Record<string, any> => {
  const d: Record<string, any> = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'fuzz-new' },
    spec: {
      selector: { matchLabels: { app: 'f' } },
      template: { metadata: { labels: { app: 'f' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    },
  };
  mutate(d);
  return d;
};

/** Deployments each broken in one way the validation must catch. */
const BAD_DEPLOYMENTS: [string, (d: any) => void][] = [
  ['no selector', (d) => { delete d.spec.selector; }],
  ['selector does not match template', (d) => { d.spec.selector.matchLabels.app = 'other'; }],
  ['negative replicas', (d) => { d.spec.replicas = -1; }],
  ['replicas as string', (d) => { d.spec.replicas = 'three'; }],
  ['container without image', (d) => { delete d.spec.template.spec.containers[0].image; }],
  ['container without name', (d) => { delete d.spec.template.spec.containers[0].name; }],
  ['no containers', (d) => { d.spec.template.spec.containers = []; }],
  // a copy of the first container: a duplicate name, and never a fix for another mutation
  ['duplicate container names', (d) => { d.spec.template.spec.containers.push({ ...d.spec.template.spec.containers[0] }); }],
  ['bad restartPolicy', (d) => { d.spec.template.spec.restartPolicy = 'Sometimes'; }],
  ['bad strategy type', (d) => { d.spec.strategy = { type: 'Bogus' }; }],
  ['port out of range', (d) => { d.spec.template.spec.containers[0].ports = [{ containerPort: 70000 }]; }],
  ['bad protocol', (d) => { d.spec.template.spec.containers[0].ports = [{ containerPort: 80, protocol: 'ICMP' }]; }],
  ['bad imagePullPolicy', (d) => { d.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes'; }],
  ['bad label value', (d) => { d.metadata.labels = { ok: 'not valid!' }; }],
  ['bad label key', (d) => { d.metadata.labels = { 'a/b/c': 'x' }; }],
  ['containers not a list', (d) => { d.spec.template.spec.containers = { name: 'c' }; }],
  ['spec is a string', (d) => { d.spec = 'nope'; }],
  ['metadata is a list', (d) => { d.metadata = ['x']; }],
  ['wrong apiVersion for the path', (d) => { d.apiVersion = 'apps/v1beta1'; }],
  ['wrong kind for the path', (d) => { d.kind = 'ReplicaSet'; }],
  ['namespace differs from the path', (d) => { d.metadata.namespace = 'kube-system'; }],
  ['negative revisionHistoryLimit', (d) => { d.spec.revisionHistoryLimit = -3; }],
  ['bad env var name', (d) => { d.spec.template.spec.containers[0].env = [{ name: '' }]; }],
  ['bad resource quantity', (d) => { d.spec.template.spec.containers[0].resources = { limits: { cpu: 'lots' } }; }],
  ['bad generateName and no name', (d) => { delete d.metadata.name; d.metadata.generateName = 'UPPER-'; }],
];

function truncations(text: string, rnd: () => number, n: number): string[] {
  // every proper prefix of a JSON object is invalid JSON
  return Array.from({ length: n }, () => text.slice(0, Math.floor(rnd() * (text.length - 1))));
}

/** Builds about `count` cases; target objects 'fuzz-target' (ConfigMap) and 'fuzz-deploy' exist. */
export function buildFuzzCases(count: number, seed = 20261125): FuzzCase[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const fixed: FuzzCase[] = [];
  const add = (label: string, req: RawRequest): void => { fixed.push({ label, ...req }); };

  // --- bodies that are not JSON/YAML objects
  const notObjects = ['', '{', '}', '[', '{"a":', 'null', '123', '"str"', '[]', 'true', '{"apiVersion":"v1",}',
    "{'single':'quotes'}", '\u0000\u0001\u0002', '[' .repeat(100_000), '{"a":'.repeat(50_000), 'NaN', '{}{}', '\uFEFF{'];
  for (const b of notObjects) add(`POST configmaps body ${JSON.stringify(b.slice(0, 20))}`, { method: 'POST', path: CM_PATH, headers: JSON_CT, body: b });
  // (a body with a name but no apiVersion/kind is fine: the server takes them from the URL)
  for (const b of ['{}', '{"kind":"ConfigMap"}', '{"apiVersion":"v1"}']) {
    add(`POST configmaps without type info ${b}`, { method: 'POST', path: CM_PATH, headers: JSON_CT, body: b });
  }
  const yamlBad = ['a: b: c', '- [', 'key: "unterminated', '\tindented: tab', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [}', '&a [*a]', '!!binary ~~~'];
  for (const b of yamlBad) add(`POST configmaps bad YAML ${JSON.stringify(b)}`, { method: 'POST', path: CM_PATH, headers: { 'Content-Type': 'application/yaml' }, body: b });
  add('POST configmaps 4 MiB body', { method: 'POST', path: CM_PATH, headers: JSON_CT, body: JSON.stringify(configMap('big', { data: { k: 'x'.repeat(4 << 20) } })) });
  add('POST with an unsupported content type', { method: 'POST', path: CM_PATH, headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify(configMap('ct')) });
  add('POST with a protobuf content type and junk', { method: 'POST', path: CM_PATH, headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' }, body: 'k8s\u0000junk' });

  // --- objects of the wrong kind or with invalid metadata
  for (const name of BAD_NAMES) add(`POST configmap named ${JSON.stringify(name.slice(0, 20))}`, { method: 'POST', path: CM_PATH, headers: JSON_CT, body: JSON.stringify(configMap(name)) });
  for (const name of BAD_NAMES.filter(Boolean)) add(`POST namespace named ${JSON.stringify(name.slice(0, 20))}`, { method: 'POST', path: '/api/v1/namespaces', headers: JSON_CT, body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }) });
  add('POST namespace named 64 chars', { method: 'POST', path: '/api/v1/namespaces', headers: JSON_CT, body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n'.repeat(64) } }) });
  add('POST a Pod to configmaps', { method: 'POST', path: CM_PATH, headers: JSON_CT, body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }) });
  add('POST configmap with numeric data', { method: 'POST', path: CM_PATH, headers: JSON_CT, body: JSON.stringify(configMap('num', { data: { k: 5 } })) });
  add('POST configmap with bad data key', { method: 'POST', path: CM_PATH, headers: JSON_CT, body: JSON.stringify(configMap('key', { data: { 'bad key!': 'v' } })) });
  add('POST configmap that already exists', { method: 'POST', path: CM_PATH, headers: JSON_CT, body: JSON.stringify(configMap('fuzz-target')) });
  add('POST configmap into a missing namespace', { method: 'POST', path: '/api/v1/namespaces/no-such-ns/configmaps', headers: JSON_CT, body: JSON.stringify(configMap('m')) });
  add('POST configmap, unknown field, Strict', { method: 'POST', path: `${CM_PATH}?fieldValidation=Strict`, headers: JSON_CT, body: JSON.stringify(configMap('strict', { bogus: 1 })) });
  add('POST configmap, duplicate field, Strict', { method: 'POST', path: `${CM_PATH}?fieldValidation=Strict`, headers: JSON_CT, body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"},"data":{},"data":{}}' });
  add('POST configmap, fieldValidation=Bogus', { method: 'POST', path: `${CM_PATH}?fieldValidation=Bogus`, headers: JSON_CT, body: JSON.stringify(configMap('fv')) });
  add('POST configmap, dryRun=Bogus', { method: 'POST', path: `${CM_PATH}?dryRun=Bogus`, headers: JSON_CT, body: JSON.stringify(configMap('dr')) });
  for (const [label, m] of BAD_DEPLOYMENTS) add(`POST deployment: ${label}`, { method: 'POST', path: DEPLOY_PATH, headers: JSON_CT, body: JSON.stringify(deployment(m)) });
  add('POST pod without containers', { method: 'POST', path: POD_PATH, headers: JSON_CT, body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} }) });
  add('POST pod with a bad volume', { method: 'POST', path: POD_PATH, headers: JSON_CT, body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i', volumeMounts: [{ name: 'missing', mountPath: '/x' }] }] } }) });
  add('POST service with a bad type', { method: 'POST', path: '/api/v1/namespaces/default/services', headers: JSON_CT, body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'Bogus', ports: [{ port: 80 }] } }) });
  add('POST service with port 0', { method: 'POST', path: '/api/v1/namespaces/default/services', headers: JSON_CT, body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 0 }] } }) });
  add('POST service with a clusterIP outside the range', { method: 'POST', path: '/api/v1/namespaces/default/services', headers: JSON_CT, body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { clusterIP: '8.8.8.8', ports: [{ port: 80 }] } }) });

  // --- paths and query strings
  const badPaths = ['/api/v2/pods', '/apis/nope/v1/things', '/apis/apps/v9/deployments', '/api/v1/nonexistent',
    '/api/v1/namespaces/default/nonexistent', '/api/v1/namespaces/default/pods/x/bogus-subresource',
    '/api/v1/namespaces/default/pods/x/status/extra/segments', '/apis/batch/v1beta1/cronjobs', '/apis/extensions/v1beta1/ingresses',
    '/api/v1/namespaces/default/configmaps/does-not-exist', `/api/v1/namespaces/default/configmaps/${'n'.repeat(5000)}`,
    '/api/v1/namespaces/default/configmaps/%2e%2e', '/api/v1/namespaces/default/configmaps/a%2Fb', '/api/v1/namespaces/default/configmaps/%zz',
    '/..%2f..%2fetc/passwd', '/api/v1/namespaces/..%2fkube-system/secrets/x', '/openapi/v3/apis/nope/v1',
    '/api/v1/namespaces/no-such-ns/configmaps/x', '/api/v1/nodes/no-such-node', '/apis/apps/v1/namespaces/default/deployments/nope/scale'];
  for (const p of badPaths) add(`GET ${p.slice(0, 60)}`, { method: 'GET', path: p });
  for (const ns of BAD_NAMESPACES) add(`GET configmaps in namespace ${ns.slice(0, 20)}`, { method: 'GET', path: `/api/v1/namespaces/${ns}/configmaps/x` });
  const badQueries = ['labelSelector=!!!', 'labelSelector=a%20in%20(', 'labelSelector=a=b=c', 'labelSelector=' + 'x'.repeat(70) + '=1',
    'fieldSelector=bogus.field=1', 'fieldSelector=metadata.name', 'fieldSelector===', 'limit=abc', 'limit=1.5',
    'continue=not-a-token', 'resourceVersion=abc', 'resourceVersion=-1', 'resourceVersionMatch=Bogus', 'resourceVersionMatch=Exact',
    // (no odd booleans such as watch=maybe: upstream reads any value but 0/f/false/n/no as true)
    'watch=1&resourceVersion=abc', 'watch=1&timeoutSeconds=abc', 'watch=1&labelSelector=!!!'];
  for (const q of badQueries) {
    add(`LIST configmaps ?${q.slice(0, 40)}`, { method: 'GET', path: `${CM_PATH}?${q}` });
    add(`LIST pods all namespaces ?${q.slice(0, 40)}`, { method: 'GET', path: `/api/v1/pods?${q}` });
  }

  // --- wrong methods
  add('PUT on a collection', { method: 'PUT', path: CM_PATH, headers: JSON_CT, body: JSON.stringify(configMap('x')) });
  add('POST on an object', { method: 'POST', path: `${CM_PATH}/fuzz-target`, headers: JSON_CT, body: JSON.stringify(configMap('fuzz-target')) });
  add('PATCH on a collection', { method: 'PATCH', path: CM_PATH, headers: { 'Content-Type': 'application/merge-patch+json' }, body: '{}' });
  add('POST /version', { method: 'POST', path: '/version', headers: JSON_CT, body: '{}' });
  add('DELETE /api', { method: 'DELETE', path: '/api' });
  add('PUT /apis', { method: 'PUT', path: '/apis', headers: JSON_CT, body: '{}' });
  add('DELETE /openapi/v2', { method: 'DELETE', path: '/openapi/v2' });
  add('POST to a discovery document', { method: 'POST', path: '/apis/apps/v1', headers: JSON_CT, body: '{}' });

  // --- updates and patches that must fail
  const target = `${CM_PATH}/fuzz-target`;
  const dtarget = `${DEPLOY_PATH}/fuzz-deploy`;
  add('PUT with a stale resourceVersion', { method: 'PUT', path: target, headers: JSON_CT, body: JSON.stringify(configMap('fuzz-target', { metadata: { name: 'fuzz-target', resourceVersion: '1' }, data: { k: 'changed' } })) });
  add('PUT with a name other than the path', { method: 'PUT', path: target, headers: JSON_CT, body: JSON.stringify(configMap('other-name')) });
  add('PUT a missing object without body', { method: 'PUT', path: `${CM_PATH}/nope`, headers: JSON_CT });
  add('PUT immutable selector', { method: 'PUT', path: dtarget, headers: JSON_CT, body: JSON.stringify(deployment((d) => { d.metadata.name = 'fuzz-deploy'; d.spec.selector.matchLabels.app = 'z'; d.spec.template.metadata.labels.app = 'z'; d.metadata.resourceVersion = '1'; })) });
  const patches: [string, string, string][] = [
    ['merge: not JSON', 'application/merge-patch+json', '{"data":'],
    ['merge: renames the object', 'application/merge-patch+json', '{"metadata":{"name":"renamed"}}'],
    ['merge: data not a map', 'application/merge-patch+json', '{"data":"flat"}'],
    ['merge: a list as the patch', 'application/merge-patch+json', '[1,2]'],
    ['merge: stale resourceVersion', 'application/merge-patch+json', '{"metadata":{"resourceVersion":"1"},"data":{"k":"x"}}'],
    ['json: not a list', 'application/json-patch+json', '{"op":"add"}'],
    ['json: unknown op', 'application/json-patch+json', '[{"op":"frobnicate","path":"/data/k","value":"x"}]'],
    ['json: no path', 'application/json-patch+json', '[{"op":"add","value":"x"}]'],
    ['json: remove a missing key', 'application/json-patch+json', '[{"op":"remove","path":"/data/nope"}]'],
    ['json: failing test op', 'application/json-patch+json', '[{"op":"test","path":"/data/k","value":"not-v"},{"op":"replace","path":"/data/k","value":"y"}]'],
    ['json: bad pointer', 'application/json-patch+json', '[{"op":"replace","path":"data/k","value":"y"}]'],
    ['json: replace name', 'application/json-patch+json', '[{"op":"replace","path":"/metadata/name","value":"other"}]'],
    ['json: truncated', 'application/json-patch+json', '[{"op":"add","path":"/data/z",'],
    ['strategic: not JSON', 'application/strategic-merge-patch+json', 'data: ['],
    ['strategic: bad $patch directive', 'application/strategic-merge-patch+json', '{"data":{"$patch":"bogus"}}'],
    ['strategic: list for a map', 'application/strategic-merge-patch+json', '{"data":["a"]}'],
    ['apply: not YAML', 'application/apply-patch+yaml', 'apiVersion: v1\nkind: [ConfigMap'],
    ['apply: kind differs from the path', 'application/apply-patch+yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: fuzz-target\n'],
    ['apply: name differs from the path', 'application/apply-patch+yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n'],
    ['unsupported patch type', 'application/x-bogus-patch', '{}'],
    ['no content type', '', '{}'],
  ];
  for (const [label, ct, body] of patches) {
    const headers: Record<string, string> = ct ? { 'Content-Type': ct } : {};
    const q = ct === 'application/apply-patch+yaml' ? '?fieldManager=fuzz' : '';
    add(`PATCH configmap ${label}`, { method: 'PATCH', path: target + q, headers, body });
  }
  add('PATCH apply without fieldManager', { method: 'PATCH', path: target, headers: { 'Content-Type': 'application/apply-patch+yaml' }, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fuzz-target\ndata:\n  k: other\n' });
  add('PATCH deployment: change the immutable selector', { method: 'PATCH', path: dtarget, headers: { 'Content-Type': 'application/merge-patch+json' }, body: '{"spec":{"selector":{"matchLabels":{"app":"z"}},"template":{"metadata":{"labels":{"app":"z"}}}}}' });
  add('PATCH deployment: replicas as text', { method: 'PATCH', path: dtarget, headers: { 'Content-Type': 'application/strategic-merge-patch+json' }, body: '{"spec":{"replicas":"many"}}' });
  add('PATCH deployment: remove the image', { method: 'PATCH', path: dtarget, headers: { 'Content-Type': 'application/json-patch+json' }, body: '[{"op":"remove","path":"/spec/template/spec/containers/0/image"}]' });
  add('PATCH deployment scale: negative', { method: 'PATCH', path: `${dtarget}/scale`, headers: { 'Content-Type': 'application/merge-patch+json' }, body: '{"spec":{"replicas":-5}}' });
  add('PATCH a missing object (merge)', { method: 'PATCH', path: `${CM_PATH}/nope`, headers: { 'Content-Type': 'application/merge-patch+json' }, body: '{"data":{"a":"b"}}' });

  // --- deletes that must not delete
  add('DELETE a missing object', { method: 'DELETE', path: `${CM_PATH}/nope` });
  add('DELETE with a wrong uid precondition', { method: 'DELETE', path: target, headers: JSON_CT, body: '{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"00000000-0000-0000-0000-000000000000"}}' });
  add('DELETE with a stale resourceVersion precondition', { method: 'DELETE', path: target, headers: JSON_CT, body: '{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"resourceVersion":"1"}}' });
  add('DELETE with a bad propagationPolicy', { method: 'DELETE', path: target, headers: JSON_CT, body: '{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Bogus"}' });
  add('DELETE with a bad gracePeriodSeconds', { method: 'DELETE', path: target, headers: JSON_CT, body: '{"gracePeriodSeconds":"soon"}' });
  add('DELETE with a truncated body', { method: 'DELETE', path: target, headers: JSON_CT, body: '{"kind":"DeleteOpt' });
  add('DELETE collection with a bad selector', { method: 'DELETE', path: `${CM_PATH}?labelSelector=!!!` });

  // --- without valid credentials, even a valid request must be refused and write nothing
  for (const auth of ['none', 'bad'] as const) {
    add(`POST a valid configmap, auth ${auth}`, { method: 'POST', path: CM_PATH, headers: JSON_CT, body: JSON.stringify(configMap(`noauth-${auth}`)), auth });
    add(`DELETE fuzz-target, auth ${auth}`, { method: 'DELETE', path: target, auth });
    add(`PATCH fuzz-target, auth ${auth}`, { method: 'PATCH', path: target, headers: { 'Content-Type': 'application/merge-patch+json' }, body: '{"data":{"k":"x"}}', auth });
    add(`GET secrets, auth ${auth}`, { method: 'GET', path: '/api/v1/secrets', auth });
  }

  // --- random combinations to reach the count: truncated valid bodies, bad names, bad queries
  const validBodies = [JSON.stringify(configMap('rand-cm')), JSON.stringify(deployment(() => undefined))];
  const out = [...fixed];
  while (out.length < count) {
    const r = rnd();
    if (r < 0.3) {
      const which = Math.floor(rnd() * 2);
      const [body] = truncations(validBodies[which], rnd, 1);
      out.push({ label: `truncated ${which ? 'deployment' : 'configmap'} body (${body.length} bytes)`, method: 'POST', path: which ? DEPLOY_PATH : CM_PATH, headers: JSON_CT, body });
    } else if (r < 0.5) {
      const name = pick(BAD_NAMES) + (rnd() < 0.5 ? '' : pick(['Y', '_'])); // suffixes that can never make a name valid
      out.push({ label: `configmap named ${JSON.stringify(name.slice(0, 20))}`, method: 'POST', path: CM_PATH, headers: JSON_CT, body: JSON.stringify(configMap(name)) });
    } else if (r < 0.7) {
      const [label, m] = pick(BAD_DEPLOYMENTS);
      const [label2, m2] = pick(BAD_DEPLOYMENTS);
      out.push({ label: `deployment: ${label} + ${label2}`, method: 'POST', path: DEPLOY_PATH, headers: JSON_CT, body: JSON.stringify(deployment((d) => {
        m(d); // always applies to the fresh object, so the case stays invalid
        try { m2(d); } catch { /* the first mutation broke the shape m2 expects: fine */ }
      })) });
    } else if (r < 0.85) {
      out.push({ ...pick(fixed) });
    } else {
      const q = pick(badQueries);
      out.push({ label: `list ?${q.slice(0, 40)}`, method: 'GET', path: `${pick([CM_PATH, POD_PATH, DEPLOY_PATH, '/api/v1/secrets'])}?${q}` });
    }
  }
  // Last, and once: cases that would wreck the rest of the run if wrongly accepted (upstream
  // forbids deleting these namespaces; deleting one deletes everything in it).
  out.push({ label: 'DELETE the default namespace', method: 'DELETE', path: '/api/v1/namespaces/default' });
  out.push({ label: 'DELETE kube-system', method: 'DELETE', path: '/api/v1/namespaces/kube-system' });
  out.push({ label: 'DELETE kube-public', method: 'DELETE', path: '/api/v1/namespaces/kube-public' });
  return out;
}

/** Byte strings that break HTTP framing itself (sent over a raw TLS socket). */
export const RAW_HTTP_CASES: [string, string][] = [
  ['bad Content-Length', 'POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}'],
  ['two Content-Lengths', 'POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
  ['bad chunk size', 'POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'],
  ['header without colon', 'GET /api HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n'],
  ['not HTTP', 'HELLO THERE\r\n\r\n'],
  ['bad HTTP version', 'GET /api HTTP/9.9\r\nHost: x\r\n\r\n'],
  ['huge header', `GET /api HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`],
];
