// What configMap, secret, downwardAPI and projected volumes contain (the kubelet's MakePayload for
// each): every key, or only the listed items at their paths, with defaultMode or the item's own mode.
// A missing object or key is an error unless the volume (or item source) is optional.
import type { ConfigMap, ConfigMapVolumeSource, Container, DownwardAPIVolumeFile, Pod, ProjectedVolumeSource, Secret, SecretVolumeSource, ServiceAccountTokenProjection } from 'kubernetes-types/core/v1';
import type { PayloadFile } from './atomic-writer.ts';
import { milliValue, parseQuantity } from '../../util/quantity.ts';

const DEFAULT_MODE = 0o644;

interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

function project(kind: string, name: string, data: Map<string, Buffer>, items: KeyToPath[] | undefined, defaultMode: number, optional: boolean): PayloadFile[] {
  if (!items || items.length === 0) return [...data].map(([key, content]) => ({ path: key, content, mode: defaultMode }));
  const out: PayloadFile[] = [];
  for (const item of items) {
    const content = data.get(item.key);
    if (content === undefined) {
      if (optional) continue;
      throw new Error(`${kind} ${JSON.stringify(name)} has no key ${JSON.stringify(item.key)}`);
    }
    out.push({ path: item.path, content, mode: item.mode ?? defaultMode });
  }
  return out;
}

export function configMapPayload(source: ConfigMapVolumeSource, configMap: ConfigMap | undefined): PayloadFile[] {
  const name = source.name ?? '';
  if (!configMap) {
    if (source.optional) return [];
    throw new Error(`configmap ${JSON.stringify(name)} not found`);
  }
  const data = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(configMap.data ?? {})) data.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(configMap.binaryData ?? {})) data.set(k, Buffer.from(v, 'base64'));
  return project('configmap', name, data, source.items, source.defaultMode ?? DEFAULT_MODE, source.optional === true);
}

export function secretPayload(source: SecretVolumeSource, secret: Secret | undefined): PayloadFile[] {
  const name = source.secretName ?? '';
  if (!secret) {
    if (source.optional) return [];
    throw new Error(`secret ${JSON.stringify(name)} not found`);
  }
  const data = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(secret.data ?? {})) data.set(k, Buffer.from(v, 'base64'));
  for (const [k, v] of Object.entries(secret.stringData ?? {})) data.set(k, Buffer.from(v, 'utf8'));
  return project('secret', name, data, source.items, source.defaultMode ?? DEFAULT_MODE, source.optional === true);
}

/** labels and annotations as the downward API writes them: `key="value"` lines, sorted by key. */
function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

/** The value of a downward API fieldRef (metadata only in volumes, more in env). */
export function podFieldValue(pod: Pod, fieldPath: string): string {
  const m = pod.metadata ?? {};
  const subscript = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (subscript) return (subscript[1] === 'labels' ? m.labels : m.annotations)?.[subscript[2]] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return m.name ?? '';
    case 'metadata.namespace':
      return m.namespace ?? '';
    case 'metadata.uid':
      return m.uid ?? '';
    case 'metadata.labels':
      return formatMap(m.labels);
    case 'metadata.annotations':
      return formatMap(m.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return pod.status?.hostIP ?? '';
    case 'status.podIP':
      return pod.status?.podIP ?? '';
    case 'status.podIPs':
      return (pod.status?.podIPs ?? []).map((p) => p.ip).join(',');
    default:
      throw new Error(`unsupported fieldRef ${JSON.stringify(fieldPath)}`);
  }
}

/**
 * A container's limit or request as resourceFieldRef exposes it: divided by the divisor and
 * rounded up (cpu to whole cores by default). A missing limit reads as the node's allocatable.
 */
export function resourceFieldValue(container: Container | undefined, resource: string, divisor: string | undefined, allocatable: Record<string, string>): string {
  const [kind, name] = resource.split('.') as ['limits' | 'requests', string];
  const r = container?.resources?.[kind]?.[name] ?? (kind === 'limits' ? allocatable[name] : undefined) ?? '0';
  const by = milliValue(parseQuantity(divisor ?? '1'));
  if (by <= 0) throw new Error(`resourceFieldRef divisor ${JSON.stringify(divisor)} must be positive`);
  return String(Math.ceil(milliValue(parseQuantity(String(r))) / by));
}

export function downwardAPIPayload(items: DownwardAPIVolumeFile[], pod: Pod, defaultMode: number | undefined, allocatable: Record<string, string>): PayloadFile[] {
  return items.map((item) => {
    let text: string;
    if (item.fieldRef) text = podFieldValue(pod, item.fieldRef.fieldPath);
    else if (item.resourceFieldRef) {
      const ref = item.resourceFieldRef;
      text = resourceFieldValue(pod.spec?.containers.find((c) => c.name === ref.containerName), ref.resource, ref.divisor as string | undefined, allocatable);
    }
    else throw new Error(`downwardAPI item ${JSON.stringify(item.path)} has neither fieldRef nor resourceFieldRef`);
    return { path: item.path, content: Buffer.from(text, 'utf8'), mode: item.mode ?? defaultMode ?? DEFAULT_MODE };
  });
}

/** What a projected volume's sources give, each a token, a key or a field, in order. */
export interface ProjectedSources {
  configMap(name: string): Promise<ConfigMap | undefined>;
  secret(name: string): Promise<Secret | undefined>;
  serviceAccountToken(projection: ServiceAccountTokenProjection): Promise<string>;
  allocatable: Record<string, string>;
}

/** A projected volume: every source's files in one folder, with the volume's defaultMode. */
export async function projectedPayload(source: ProjectedVolumeSource, pod: Pod, from: ProjectedSources): Promise<PayloadFile[]> {
  const mode = source.defaultMode ?? DEFAULT_MODE;
  const out: PayloadFile[] = [];
  for (const p of source.sources ?? []) {
    if (p.configMap) out.push(...configMapPayload({ ...p.configMap, defaultMode: mode }, await from.configMap(p.configMap.name ?? '')));
    else if (p.secret) out.push(...secretPayload({ secretName: p.secret.name, items: p.secret.items, optional: p.secret.optional, defaultMode: mode }, await from.secret(p.secret.name ?? '')));
    else if (p.downwardAPI) out.push(...downwardAPIPayload(p.downwardAPI.items ?? [], pod, mode, from.allocatable));
    else if (p.serviceAccountToken) out.push({ path: p.serviceAccountToken.path, content: Buffer.from(await from.serviceAccountToken(p.serviceAccountToken), 'utf8'), mode });
    else throw new Error('projected volume: only configMap, secret, downwardAPI and serviceAccountToken sources are supported by the Kubelab agent');
  }
  return out;
}
