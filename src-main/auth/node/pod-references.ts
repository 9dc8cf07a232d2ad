// What a pod refers to and a node must be able to read to run it: the Secrets, ConfigMaps and
// PersistentVolumeClaims of its volumes (projected ones too), environment and image pull
// secrets, and its ServiceAccount — the edges of upstream's node authorizer graph.
import type { Container, Pod, Volume } from 'kubernetes-types/core/v1';

export interface PodReferences {
  secrets: string[];
  configMaps: string[];
  persistentVolumeClaims: string[];
  serviceAccount: string;
}

function fromVolume(v: Volume, refs: PodReferences): void {
  if (v.secret?.secretName) refs.secrets.push(v.secret.secretName);
  if (v.configMap?.name) refs.configMaps.push(v.configMap.name);
  if (v.persistentVolumeClaim?.claimName) refs.persistentVolumeClaims.push(v.persistentVolumeClaim.claimName);
  for (const s of v.projected?.sources ?? []) {
    if (s.secret?.name) refs.secrets.push(s.secret.name);
    if (s.configMap?.name) refs.configMaps.push(s.configMap.name);
  }
  // Volume plugins that read credentials from a Secret.
  for (const ref of [v.csi?.nodePublishSecretRef, v.cephfs?.secretRef, v.rbd?.secretRef, v.iscsi?.secretRef, v.flexVolume?.secretRef, v.azureFile && { name: v.azureFile.secretName }]) {
    if (ref?.name) refs.secrets.push(ref.name);
  }
}

function fromContainer(c: Container, refs: PodReferences): void {
  for (const e of c.env ?? []) {
    if (e.valueFrom?.secretKeyRef?.name) refs.secrets.push(e.valueFrom.secretKeyRef.name);
    if (e.valueFrom?.configMapKeyRef?.name) refs.configMaps.push(e.valueFrom.configMapKeyRef.name);
  }
  for (const e of c.envFrom ?? []) {
    if (e.secretRef?.name) refs.secrets.push(e.secretRef.name);
    if (e.configMapRef?.name) refs.configMaps.push(e.configMapRef.name);
  }
}

export function podReferences(pod: Pod): PodReferences {
  const refs: PodReferences = { secrets: [], configMaps: [], persistentVolumeClaims: [], serviceAccount: pod.spec?.serviceAccountName || 'default' };
  for (const v of pod.spec?.volumes ?? []) fromVolume(v, refs);
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])]) fromContainer(c as Container, refs);
  for (const s of pod.spec?.imagePullSecrets ?? []) if (s.name) refs.secrets.push(s.name);
  return { ...refs, secrets: [...new Set(refs.secrets)], configMaps: [...new Set(refs.configMaps)], persistentVolumeClaims: [...new Set(refs.persistentVolumeClaims)] };
}
