// Upstream's ServiceAccount admission plugin, for a new pod: the service account "default" unless
// one is named, and, unless the pod or its service account opts out (automountServiceAccountToken:
// false), the projected kube-api-access-<random> volume (a bound token, the cluster CA and the
// namespace) mounted read-only at /var/run/secrets/kubernetes.io/serviceaccount in every
// container. Upstream refuses a pod whose service account does not exist yet; here such a pod
// runs without a token instead, so that pods made before the service-account controller ran (or
// without controllers, as many tests and hollow clusters do) are not refused.
import type { PodSpec, ServiceAccount, Volume, VolumeMount } from 'kubernetes-types/core/v1';
import { generateName } from '../../handlers/strategy.ts';
import type { Mutable } from '../types.ts';

export const TOKEN_VOLUME_PREFIX = 'kube-api-access-';
export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** The token lifetime the plugin asks for: upstream's WarnOnlyBoundTokenExpirationSeconds. */
const TOKEN_EXPIRATION_SECONDS = 3607;
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/** The projected volume source, field for field as upstream's TokenVolumeSource (defaults set). */
export function tokenVolumeSource(): Volume['projected'] {
  return {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
      { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  };
}

function shouldAutomount(spec: PodSpec, sa: ServiceAccount): boolean {
  return spec.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true;
}

/** Adds the token volume and its mounts; lookup is the service account as stored, or undefined. */
export async function admitServiceAccount(spec: Mutable<PodSpec>, namespace: string, annotations: Record<string, string> | undefined, lookup?: (namespace: string, name: string) => Promise<ServiceAccount | undefined>): Promise<void> {
  if (!spec.serviceAccountName) spec.serviceAccountName = 'default';
  spec.serviceAccount = spec.serviceAccountName;
  // Mirror pods (a node's static pods) get no credentials, as upstream.
  if (!lookup || annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return;
  const sa = await lookup(namespace, spec.serviceAccountName);
  if (!sa || !shouldAutomount(spec, sa)) return;
  const volumes = (spec.volumes ?? []) as Volume[];
  // A pod made from another pod's spec keeps the volume it already has.
  const existing = volumes.find((v) => v.name.startsWith(TOKEN_VOLUME_PREFIX));
  const name = existing?.name ?? generateName(TOKEN_VOLUME_PREFIX);
  let mounted = false;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const mounts = (c.volumeMounts ?? []) as VolumeMount[];
    if (mounts.some((m) => m.mountPath === TOKEN_MOUNT_PATH)) continue;
    (c as { volumeMounts?: VolumeMount[] }).volumeMounts = [...mounts, { name, readOnly: true, mountPath: TOKEN_MOUNT_PATH }];
    mounted = true;
  }
  if (mounted && !existing) spec.volumes = [...volumes, { name, projected: tokenVolumeSource() }];
}
