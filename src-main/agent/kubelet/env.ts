// A container's environment as the kubelet makes it (makeEnvironmentVariables): envFrom sources
// first (every key of a ConfigMap or Secret, with the prefix; keys that are not valid variable
// names are skipped and reported), then env in order, a later name replacing an earlier one.
// Plain values are $(VAR)-expanded against what is defined so far; valueFrom takes pod fields,
// container resources, or one ConfigMap or Secret key.
import type { ConfigMap, Container, EnvVar, Pod, Secret } from 'kubernetes-types/core/v1';
import { podFieldValue, resourceFieldValue } from '../volumes/projections.ts';
import { expand } from '../runtime/expansion.ts';

export interface EnvSources {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  /** The node's allocatable, for resourceFieldRef of a limit the container does not set. */
  allocatable: Record<string, string>;
}

export interface ResolvedEnv {
  env: { name: string; value: string }[];
  /** envFrom keys left out because they are not valid names (the kubelet's InvalidEnvironmentVariableNames event). */
  skipped: string[];
}

/** A C identifier-like name, as upstream's IsEnvVarName allows: letters, digits, '_', '-', '.'; no leading digit. */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** A missing object or key that the pod did not mark optional: the container cannot start. */
export class EnvError extends Error {}

function dataOf(obj: ConfigMap | Secret, secret: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (secret) for (const [k, v] of Object.entries((obj as Secret).data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  else Object.assign(out, (obj as ConfigMap).data ?? {});
  return out;
}

export async function resolveEnv(pod: Pod, container: Container, sources: EnvSources): Promise<ResolvedEnv> {
  const ns = pod.metadata?.namespace ?? 'default';
  const values = new Map<string, string>();
  const skipped: string[] = [];
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const isSecret = from.secretRef !== undefined;
    const kind = isSecret ? 'Secret' : 'ConfigMap';
    const obj = isSecret ? await sources.secret(ns, ref.name ?? '') : await sources.configMap(ns, ref.name ?? '');
    if (!obj) {
      if (ref.optional) continue;
      throw new EnvError(`${kind.toLowerCase()} "${ref.name ?? ''}" not found`);
    }
    for (const [key, value] of Object.entries(dataOf(obj, isSecret))) {
      const name = `${from.prefix ?? ''}${key}`;
      if (!ENV_NAME.test(name)) skipped.push(name);
      else values.set(name, value);
    }
  }
  for (const e of container.env ?? []) {
    const value = await envValue(pod, container, e, ns, values, sources);
    if (value !== undefined) values.set(e.name, value);
  }
  return { env: [...values].map(([name, value]) => ({ name, value })), skipped };
}

async function envValue(pod: Pod, container: Container, e: EnvVar, ns: string, defined: Map<string, string>, sources: EnvSources): Promise<string | undefined> {
  const from = e.valueFrom;
  if (!from) return expand(e.value ?? '', (n) => defined.get(n));
  if (from.fieldRef) return podFieldValue(pod, from.fieldRef.fieldPath);
  if (from.resourceFieldRef) {
    const r = from.resourceFieldRef;
    const target = r.containerName ? pod.spec?.containers.find((c) => c.name === r.containerName) : container;
    return resourceFieldValue(target, r.resource, r.divisor as string | undefined, sources.allocatable);
  }
  const keyRef = from.configMapKeyRef ?? from.secretKeyRef;
  if (!keyRef) return '';
  const isSecret = from.secretKeyRef !== undefined;
  const kind = isSecret ? 'Secret' : 'ConfigMap';
  const obj = isSecret ? await sources.secret(ns, keyRef.name ?? '') : await sources.configMap(ns, keyRef.name ?? '');
  if (!obj) {
    if (keyRef.optional) return undefined;
    throw new EnvError(`${kind.toLowerCase()} "${keyRef.name ?? ''}" not found`);
  }
  const value = dataOf(obj, isSecret)[keyRef.key];
  if (value === undefined) {
    if (keyRef.optional) return undefined;
    throw new EnvError(`couldn't find key ${keyRef.key} in ${kind} ${ns}/${keyRef.name ?? ''}`);
  }
  return value;
}
