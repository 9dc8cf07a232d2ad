// Containers and init containers of a pod spec (validateContainers / validateInitContainers):
// names, images, ports, env, volume mounts, probes, resources, enums.
import type { Container, ContainerPort, EnvVar, VolumeMount } from 'kubernetes-types/core/v1.js';
import { duplicate, FieldPath, forbidden, invalid, notFound, notSupported, required, type FieldError } from '../../field-errors.ts';
import { isDNS1123Label, isEnvVarName, isValidPortName, isValidPortNum } from '../../validation/names.ts';
import { isRecord, items } from './json.ts';
import { validateProbe, validateLifecycle } from './probes.ts';
import { validateResourceRequirements } from './resources.ts';
import { validateContainerSecurityContext } from './security-context.ts';

export interface ContainerContext {
  /** Names of the pod's volumes, for volumeMounts. */
  volumes: Set<string>;
  /** Container names already seen (containers and init containers share one namespace). */
  names: Set<string>;
}

const pullPolicies = ['Always', 'IfNotPresent', 'Never'];
const terminationMessagePolicies = ['File', 'FallbackToLogsOnError'];
const protocols = ['SCTP', 'TCP', 'UDP'];

export function validateContainers(containers: unknown, path: FieldPath, ctx: ContainerContext): FieldError[] {
  if (!Array.isArray(containers) || containers.length === 0) return [required(path)];
  const errs: FieldError[] = [];
  containers.forEach((c, i) => {
    const at = path.index(i);
    if (!isRecord(c)) return errs.push(invalid(at, c, 'must be an object'));
    const ctr = c as unknown as Container;
    errs.push(...validateContainerCommon(ctr, at, ctx));
    if (ctr.restartPolicy !== undefined) errs.push(forbidden(at.child('restartPolicy'), 'may not be set for non-init containers'));
    for (const [field, probe] of [['livenessProbe', ctr.livenessProbe], ['readinessProbe', ctr.readinessProbe], ['startupProbe', ctr.startupProbe]] as const) {
      if (probe !== undefined) errs.push(...validateProbe(probe, at.child(field), field));
    }
    errs.push(...validateLifecycle(ctr.lifecycle, at.child('lifecycle')));
  });
  return errs;
}

export function validateInitContainers(containers: unknown, path: FieldPath, ctx: ContainerContext): FieldError[] {
  if (containers === undefined || containers === null) return [];
  if (!Array.isArray(containers)) return [invalid(path, containers, 'must be a list')];
  const errs: FieldError[] = [];
  containers.forEach((c, i) => {
    const at = path.index(i);
    if (!isRecord(c)) return errs.push(invalid(at, c, 'must be an object'));
    const ctr = c as unknown as Container;
    errs.push(...validateContainerCommon(ctr, at, ctx));
    // restartPolicy Always makes a sidecar: it may have probes and lifecycle hooks.
    const sidecar = ctr.restartPolicy === 'Always';
    if (ctr.restartPolicy !== undefined && !sidecar) errs.push(notSupported(at.child('restartPolicy'), ctr.restartPolicy, ['Always']));
    for (const [field, probe] of [['livenessProbe', ctr.livenessProbe], ['readinessProbe', ctr.readinessProbe], ['startupProbe', ctr.startupProbe]] as const) {
      if (probe === undefined) continue;
      if (!sidecar) errs.push(forbidden(at.child(field), 'may not be set for init containers without restartPolicy=Always'));
      else errs.push(...validateProbe(probe, at.child(field), field));
    }
    if (ctr.lifecycle !== undefined) {
      if (!sidecar) errs.push(forbidden(at.child('lifecycle'), 'may not be set for init containers without restartPolicy=Always'));
      else errs.push(...validateLifecycle(ctr.lifecycle, at.child('lifecycle')));
    }
  });
  return errs;
}

function validateContainerCommon(ctr: Container, path: FieldPath, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  if (!ctr.name) errs.push(required(path.child('name')));
  else if (typeof ctr.name !== 'string') errs.push(invalid(path.child('name'), ctr.name, 'must be a string'));
  else {
    for (const msg of isDNS1123Label(ctr.name)) errs.push(invalid(path.child('name'), ctr.name, msg));
    if (ctx.names.has(ctr.name)) errs.push(duplicate(path.child('name'), ctr.name));
    ctx.names.add(ctr.name);
  }
  if (!ctr.image) errs.push(required(path.child('image')));
  else if (typeof ctr.image !== 'string') errs.push(invalid(path.child('image'), ctr.image, 'must be a string'));
  else if (ctr.image.trim() !== ctr.image) errs.push(invalid(path.child('image'), ctr.image, 'must not have leading or trailing whitespace'));
  if (ctr.imagePullPolicy !== undefined && !pullPolicies.includes(ctr.imagePullPolicy)) {
    errs.push(notSupported(path.child('imagePullPolicy'), ctr.imagePullPolicy, pullPolicies));
  }
  if (ctr.terminationMessagePolicy !== undefined && !terminationMessagePolicies.includes(ctr.terminationMessagePolicy)) {
    errs.push(notSupported(path.child('terminationMessagePolicy'), ctr.terminationMessagePolicy, terminationMessagePolicies));
  }
  errs.push(...validatePorts(ctr.ports, path.child('ports')));
  errs.push(...validateEnv(ctr.env, path.child('env')));
  errs.push(...validateEnvFrom(ctr.envFrom, path.child('envFrom')));
  errs.push(...validateVolumeMounts(ctr.volumeMounts, path.child('volumeMounts'), ctx.volumes));
  errs.push(...validateResourceRequirements(ctr.resources, path.child('resources')));
  errs.push(...validateContainerSecurityContext(ctr.securityContext, path.child('securityContext')));
  return errs;
}

function validatePorts(ports: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  items<ContainerPort>(ports).forEach((p, i) => {
    const at = path.index(i);
    if (!isRecord(p)) return errs.push(invalid(at, p, 'must be an object'));
    if (p.name !== undefined && typeof p.name !== 'string') errs.push(invalid(at.child('name'), p.name, 'must be a string'));
    else if (p.name !== undefined && p.name !== '') {
      for (const msg of isValidPortName(p.name)) errs.push(invalid(at.child('name'), p.name, msg));
      if (names.has(p.name)) errs.push(duplicate(at.child('name'), p.name));
      names.add(p.name);
    }
    if (!p.containerPort) errs.push(required(at.child('containerPort')));
    else for (const msg of isValidPortNum(p.containerPort)) errs.push(invalid(at.child('containerPort'), p.containerPort, msg));
    if (p.hostPort) for (const msg of isValidPortNum(p.hostPort)) errs.push(invalid(at.child('hostPort'), p.hostPort, msg));
    if (!p.protocol) errs.push(required(at.child('protocol')));
    else if (!protocols.includes(p.protocol)) errs.push(notSupported(at.child('protocol'), p.protocol, protocols));
  });
  return errs;
}

const fieldRefPaths = [
  'metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName',
  'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
];

function validateEnv(env: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  items<EnvVar>(env).forEach((e, i) => {
    const at = path.index(i);
    if (!isRecord(e)) return errs.push(invalid(at, e, 'must be an object'));
    if (!e.name) errs.push(required(at.child('name')));
    else for (const msg of isEnvVarName(e.name)) errs.push(invalid(at.child('name'), e.name, msg));
    const from = e.valueFrom;
    if (from === undefined || from === null) return;
    const vf = at.child('valueFrom');
    const sources = (['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef', 'fileKeyRef'] as const).filter((k) => (from as Record<string, unknown>)[k] !== undefined);
    if (sources.length === 0) errs.push(invalid(vf, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (sources.length > 1) errs.push(invalid(vf, '', 'may not have more than one field specified at a time'));
    if (e.value) errs.push(invalid(vf, '', 'may not be specified when `value` is not empty'));
    const fieldRef = from.fieldRef;
    if (isRecord(fieldRef)) {
      const fp = fieldRef.fieldPath;
      if (!fp) errs.push(required(vf.child('fieldRef').child('fieldPath')));
      else if (!/^metadata\.(labels|annotations)\['[^']+'\]$/.test(fp) && !fieldRefPaths.includes(fp)) {
        errs.push(notSupported(vf.child('fieldRef').child('fieldPath'), fp, fieldRefPaths));
      }
    }
    for (const k of ['configMapKeyRef', 'secretKeyRef'] as const) {
      const ref = from[k];
      if (isRecord(ref) && !ref.key) errs.push(required(vf.child(k).child('key')));
      if (isRecord(ref) && !ref.name) errs.push(required(vf.child(k).child('name')));
    }
  });
  return errs;
}

function validateEnvFrom(envFrom: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  items<Record<string, unknown>>(envFrom).forEach((src, i) => {
    const at = path.index(i);
    if (!isRecord(src)) return errs.push(invalid(at, src, 'must be an object'));
    const n = ['configMapRef', 'secretRef'].filter((k) => src[k] !== undefined).length;
    if (n === 0) errs.push(invalid(at, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(invalid(at, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateVolumeMounts(mounts: unknown, path: FieldPath, volumes: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  items<VolumeMount>(mounts).forEach((m, i) => {
    const at = path.index(i);
    if (!isRecord(m)) return errs.push(invalid(at, m, 'must be an object'));
    if (!m.name) errs.push(required(at.child('name')));
    else if (!volumes.has(m.name)) errs.push(notFound(at.child('name'), m.name));
    if (!m.mountPath) errs.push(required(at.child('mountPath')));
    else {
      if (paths.has(m.mountPath)) errs.push(invalid(at.child('mountPath'), m.mountPath, 'must be unique'));
      paths.add(m.mountPath);
    }
    if (m.subPath && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) {
      errs.push(invalid(at.child('subPath'), m.subPath, "must be a relative path without '..'"));
    }
  });
  return errs;
}
