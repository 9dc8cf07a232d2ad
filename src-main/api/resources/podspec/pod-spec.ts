// A whole pod spec (ValidatePodSpec) and a pod template (ValidatePodTemplateSpec), shared by pods
// and every workload that embeds a template.
import type { PodSpec, PodTemplateSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { duplicate, FieldPath, invalid, notSupported, required, type FieldError } from '../../field-errors.ts';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from '../../validation/names.ts';
import { validateAnnotations, validateLabels } from '../../validation/object-meta.ts';
import { validateAffinity } from './affinity.ts';
import { validateContainers, validateInitContainers } from './containers.ts';
import { isRecord, items } from './json.ts';
import { validateVolumes } from './volumes.ts';
import { validateSeccompProfile } from './security-context.ts';

export const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const tolerationOperators = ['Equal', 'Exists'];
const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validatePodSpec(spec: unknown, path: FieldPath): FieldError[] {
  if (!isRecord(spec)) return [required(path)];
  const s = spec as unknown as PodSpec;
  const errs: FieldError[] = [];
  const vols = validateVolumes(s.volumes, path.child('volumes'));
  errs.push(...vols.errors);
  const ctx = { volumes: vols.names, names: new Set<string>() };
  // Regular containers first: upstream reports a name shared with an init container on the latter.
  errs.push(...validateContainers(s.containers, path.child('containers'), ctx));
  errs.push(...validateInitContainers(s.initContainers, path.child('initContainers'), ctx));
  if (s.restartPolicy === undefined || s.restartPolicy === '') errs.push(required(path.child('restartPolicy')));
  else if (!restartPolicies.includes(s.restartPolicy)) errs.push(notSupported(path.child('restartPolicy'), s.restartPolicy, restartPolicies));
  if (s.dnsPolicy === undefined || s.dnsPolicy === '') errs.push(required(path.child('dnsPolicy')));
  else if (!dnsPolicies.includes(s.dnsPolicy)) errs.push(notSupported(path.child('dnsPolicy'), s.dnsPolicy, dnsPolicies));
  else if (s.dnsPolicy === 'None' && !isRecord(s.dnsConfig)) errs.push(required(path.child('dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'));
  errs.push(...validateLabels(s.nodeSelector, path.child('nodeSelector')));
  if (s.serviceAccountName) for (const msg of isDNS1123Subdomain(s.serviceAccountName)) errs.push(invalid(path.child('serviceAccountName'), s.serviceAccountName, msg));
  if (s.nodeName) for (const msg of isDNS1123Subdomain(s.nodeName)) errs.push(invalid(path.child('nodeName'), s.nodeName, msg));
  if (s.hostname) for (const msg of isDNS1123Label(s.hostname)) errs.push(invalid(path.child('hostname'), s.hostname, msg));
  if (s.subdomain) for (const msg of isDNS1123Label(s.subdomain)) errs.push(invalid(path.child('subdomain'), s.subdomain, msg));
  if (s.activeDeadlineSeconds !== undefined && s.activeDeadlineSeconds !== null) {
    const v = s.activeDeadlineSeconds;
    if (!Number.isInteger(v) || v < 1 || v > 2147483647) errs.push(invalid(path.child('activeDeadlineSeconds'), v, 'must be between 1 and 2147483647, inclusive'));
  }
  if (s.terminationGracePeriodSeconds !== undefined && s.terminationGracePeriodSeconds !== null && s.terminationGracePeriodSeconds < 0) {
    errs.push(invalid(path.child('terminationGracePeriodSeconds'), s.terminationGracePeriodSeconds, 'must be greater than or equal to 0'));
  }
  if (s.schedulerName !== undefined && s.schedulerName !== '') {
    for (const msg of isDNS1123Subdomain(s.schedulerName)) errs.push(invalid(path.child('schedulerName'), s.schedulerName, msg));
  }
  errs.push(...validateTolerations(s.tolerations, path.child('tolerations')));
  errs.push(...validateAffinity(s.affinity, path.child('affinity')));
  errs.push(...validateHostPorts(s, path));
  if (isRecord(s.securityContext)) errs.push(...validateSeccompProfile(s.securityContext.seccompProfile, path.child('securityContext').child('seccompProfile')));
  if (s.hostNetwork) {
    items<{ ports?: { containerPort?: number; hostPort?: number }[] }>(s.containers).forEach((c, i) =>
      items<{ containerPort?: number; hostPort?: number }>(c?.ports).forEach((p, j) => {
        if (p?.hostPort !== undefined && p.hostPort !== p.containerPort) {
          errs.push(invalid(path.child('containers').index(i).child('ports').index(j).child('hostPort'), p.hostPort, 'must match `containerPort` when `hostNetwork` is true'));
        }
      }),
    );
  }
  return errs;
}

/** Two containers running together cannot claim the same host port and protocol (AccumulateUniqueHostPorts). */
function validateHostPorts(s: PodSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  // Init containers exit before the others start, so each list has its own set.
  for (const field of ['containers', 'initContainers'] as const) {
    const seen = new Set<string>();
    items<{ ports?: unknown }>(s[field]).forEach((c, i) => {
      items<{ hostPort?: number; protocol?: string; hostIP?: string }>(isRecord(c) ? c.ports : undefined).forEach((p, j) => {
        if (!isRecord(p) || !p.hostPort) return;
        const key = `${p.hostPort}/${p.protocol ?? 'TCP'}`;
        const fullKey = `${p.hostIP ?? ''}/${key}`;
        if (seen.has(fullKey)) errs.push(duplicate(path.child(field).index(i).child('ports').index(j).child('hostPort'), key));
        seen.add(fullKey);
      });
    });
  }
  return errs;
}

export function validateTolerations(tolerations: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  items<Toleration>(tolerations).forEach((t, i) => {
    const at = path.index(i);
    if (!isRecord(t)) return errs.push(invalid(at, t, 'must be an object'));
    if (t.key && typeof t.key !== 'string') errs.push(invalid(at.child('key'), t.key, 'must be a string'));
    else if (t.key) for (const msg of isQualifiedName(t.key)) errs.push(invalid(at.child('key'), t.key, msg));
    if (!t.key && t.operator !== 'Exists') errs.push(invalid(at.child('operator'), t.operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push(invalid(at.child('effect'), t.effect, 'effect must be \'NoExecute\' when `tolerationSeconds` is set'));
    }
    if (t.operator !== undefined && t.operator !== '' && !tolerationOperators.includes(t.operator)) errs.push(notSupported(at.child('operator'), t.operator, tolerationOperators));
    if (t.operator === 'Exists' && t.value) errs.push(invalid(at.child('operator'), t.value, 'value must be empty when `operator` is \'Exists\''));
    if (t.effect !== undefined && t.effect !== '' && !taintEffects.includes(t.effect)) errs.push(notSupported(at.child('effect'), t.effect, taintEffects));
  });
  return errs;
}

/** A pod template: its labels and annotations, then its spec. */
export function validatePodTemplateSpec(template: unknown, path: FieldPath): FieldError[] {
  if (!isRecord(template)) return [required(path)];
  const t = template as PodTemplateSpec;
  const errs: FieldError[] = [];
  const meta = isRecord(t.metadata) ? t.metadata : {};
  errs.push(...validateLabels(meta.labels, path.child('metadata').child('labels')));
  errs.push(...validateAnnotations(meta.annotations, path.child('metadata').child('annotations')));
  errs.push(...validatePodSpec(t.spec, path.child('spec')));
  return errs;
}
