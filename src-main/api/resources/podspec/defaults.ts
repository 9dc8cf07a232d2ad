// Upstream's defaults for a pod spec (k8s.io/kubernetes/pkg/apis/core/v1/defaults.go), applied to
// pods and to every pod template (deployments, jobs...), so `kubectl get -o yaml` shows what a
// real cluster shows. Fields that upstream holds as non-pointer structs (a pod's securityContext,
// a container's resources) serialize as `{}` there; we set them to `{}` for the same output.
import type { Container, EnvVar, HTTPGetAction, PodSpec, PodTemplateSpec, Probe, Volume, LifecycleHandler } from 'kubernetes-types/core/v1.js';
import { canonicalQuantity } from '../../../util/quantity.ts';
import { asRecord, isRecord } from './json.ts';

/**
 * Quantities are stored in canonical form, as kube-apiserver re-serializes them: `cpu: "0.5"`
 * reads back as `500m`, `memory: 1073741824` as `1Gi`. Invalid ones are left for validation.
 */
function canonicalQuantities(list: unknown): void {
  if (!isRecord(list)) return;
  for (const [name, raw] of Object.entries(list)) {
    if (typeof raw !== 'string' && typeof raw !== 'number') continue;
    try {
      list[name] = canonicalQuantity(raw);
    } catch {
      // Validation reports it with the field path.
    }
  }
}

export function defaultPodTemplate(template: PodTemplateSpec | undefined): void {
  if (!isRecord(template)) return;
  if (isRecord(template.spec)) defaultPodSpec(template.spec);
}

export function defaultPodSpec(spec: PodSpec): void {
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  // v1 keeps the deprecated serviceAccount field in step with serviceAccountName (conversion).
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const c of list<Container>(spec.containers)) defaultContainer(c);
  for (const c of list<Container>(spec.initContainers)) defaultContainer(c);
  for (const c of list<Container>(spec.ephemeralContainers)) defaultContainer(c);
  for (const v of list<Volume>(spec.volumes)) defaultVolume(v);
  canonicalQuantities(spec.overhead);
}

/**
 * Defaults only pods get, not templates (SetDefaults_Pod), so that they do not appear in every
 * Deployment: requests default to limits, service links on, resize policies for requested cpu
 * and memory, and with the host's network the container ports are the host ports.
 */
export function defaultPodOnly(spec: PodSpec): void {
  for (const c of [...list<Container>(spec.containers), ...list<Container>(spec.initContainers)]) {
    const limits = c.resources?.limits;
    if (!isRecord(limits) || Object.keys(limits).length === 0) continue;
    const resources = c.resources!;
    const requests = isRecord(resources.requests) ? resources.requests : (resources.requests = {});
    for (const [name, q] of Object.entries(limits)) if (requests[name] === undefined) requests[name] = q;
  }
  for (const c of list<Container>(spec.containers)) {
    const requests = c.resources?.requests;
    if (!isRecord(requests)) continue;
    for (const resourceName of ['cpu', 'memory']) {
      if (requests[resourceName] === undefined) continue;
      const policies = Array.isArray(c.resizePolicy) ? c.resizePolicy : (c.resizePolicy = []);
      if (!policies.some((p) => p?.resourceName === resourceName)) policies.push({ resourceName, restartPolicy: 'NotRequired' });
    }
  }
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork === true) {
    for (const c of [...list<Container>(spec.containers), ...list<Container>(spec.initContainers)]) {
      for (const p of list<NonNullable<Container['ports']>[number]>(c.ports)) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
}

function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value.filter(isRecord) as T[]) : [];
}

/** `:latest` or no tag means the image moves, so it is pulled every time. */
export function defaultImagePullPolicy(image: unknown): string {
  if (typeof image !== 'string' || !image) return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  const tag = colon === -1 ? '' : image.slice(colon + 1);
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: Container): void {
  c.imagePullPolicy ??= defaultImagePullPolicy(c.image);
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  if (isRecord(c.resources)) {
    canonicalQuantities(c.resources.limits);
    canonicalQuantities(c.resources.requests);
  }
  for (const p of list<NonNullable<Container['ports']>[number]>(c.ports)) p.protocol ??= 'TCP';
  for (const e of list<EnvVar>(c.env)) {
    const fieldRef = e.valueFrom?.fieldRef;
    if (isRecord(fieldRef)) fieldRef.apiVersion ??= 'v1';
  }
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) if (isRecord(probe)) defaultProbe(probe);
  if (isRecord(c.lifecycle)) {
    for (const h of [c.lifecycle.postStart, c.lifecycle.preStop]) if (isRecord(h)) defaultHandler(h);
  }
}

function defaultProbe(p: Probe): void {
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  defaultHandler(p);
}

function defaultHandler(h: Pick<LifecycleHandler, 'httpGet'>): void {
  if (isRecord(h.httpGet)) defaultHTTPGet(h.httpGet);
}

function defaultHTTPGet(a: HTTPGetAction): void {
  a.path ??= '/';
  a.scheme ??= 'HTTP';
}

const volumeSources = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi',
  'ephemeral', 'image',
] as const;

export const volumeSourceNames: readonly string[] = volumeSources;

function defaultVolume(v: Volume): void {
  const r = asRecord(v);
  // A volume with no source is an emptyDir (SetDefaults_Volume).
  if (!volumeSources.some((s) => r[s] !== undefined)) v.emptyDir = {};
  if (isRecord(v.secret)) v.secret.defaultMode ??= 420;
  if (isRecord(v.configMap)) v.configMap.defaultMode ??= 420;
  if (isRecord(v.downwardAPI)) {
    v.downwardAPI.defaultMode ??= 420;
    for (const item of list<{ fieldRef?: { apiVersion?: string } }>(v.downwardAPI.items)) if (isRecord(item.fieldRef)) item.fieldRef.apiVersion ??= 'v1';
  }
  if (isRecord(v.projected)) {
    v.projected.defaultMode ??= 420;
    for (const src of list<Record<string, unknown>>(v.projected.sources)) {
      const sa = src.serviceAccountToken;
      if (isRecord(sa)) (sa as { expirationSeconds?: number }).expirationSeconds ??= 3600;
      const da = src.downwardAPI;
      if (isRecord(da)) for (const item of list<{ fieldRef?: { apiVersion?: string } }>((da as { items?: unknown }).items)) if (isRecord(item.fieldRef)) item.fieldRef.apiVersion ??= 'v1';
    }
  }
  if (isRecord(v.hostPath)) v.hostPath.type ??= '';
  if (isRecord(v.emptyDir) && v.emptyDir.sizeLimit !== undefined) {
    const holder: Record<string, unknown> = { sizeLimit: v.emptyDir.sizeLimit };
    canonicalQuantities(holder);
    v.emptyDir.sizeLimit = holder.sizeLimit as string;
  }
  if (isRecord(v.iscsi)) v.iscsi.iscsiInterface ??= 'default';
}
