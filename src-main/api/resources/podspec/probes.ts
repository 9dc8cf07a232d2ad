// Probes and lifecycle hooks (validateProbe, validateHandler, validateLifecycle).
import type { Lifecycle, LifecycleHandler, Probe } from 'kubernetes-types/core/v1.js';
import { FieldPath, forbidden, invalid, notSupported, required, type FieldError } from '../../field-errors.ts';
import { isValidPortName, isValidPortNum } from '../../validation/names.ts';
import { isRecord } from './json.ts';

const handlerTypes = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'] as const;

export function validateProbe(probe: unknown, path: FieldPath, kind: 'livenessProbe' | 'readinessProbe' | 'startupProbe'): FieldError[] {
  if (probe === null) return [];
  if (!isRecord(probe)) return [invalid(path, probe, 'must be an object')];
  const p = probe as Probe;
  const errs = validateHandler(p, path, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  for (const field of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    const v = p[field];
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) errs.push(invalid(path.child(field), v, 'must be greater than or equal to 0'));
  }
  if (kind !== 'readinessProbe' && p.successThreshold !== undefined && p.successThreshold !== 1) {
    errs.push(invalid(path.child('successThreshold'), p.successThreshold, 'must be 1'));
  }
  if (kind === 'readinessProbe' && p.terminationGracePeriodSeconds !== undefined) {
    errs.push(invalid(path.child('terminationGracePeriodSeconds'), p.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  }
  if (p.terminationGracePeriodSeconds !== undefined && p.terminationGracePeriodSeconds !== null && p.terminationGracePeriodSeconds <= 0) {
    errs.push(invalid(path.child('terminationGracePeriodSeconds'), p.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  return errs;
}

export function validateLifecycle(lifecycle: unknown, path: FieldPath): FieldError[] {
  if (lifecycle === undefined || lifecycle === null) return [];
  if (!isRecord(lifecycle)) return [invalid(path, lifecycle, 'must be an object')];
  const l = lifecycle as Lifecycle;
  const errs: FieldError[] = [];
  for (const hook of ['postStart', 'preStop'] as const) {
    if (l[hook] !== undefined) errs.push(...validateHandler(l[hook], path.child(hook), ['exec', 'httpGet', 'tcpSocket', 'sleep']));
  }
  return errs;
}

function validateHandler(h: unknown, path: FieldPath, allowed: readonly (typeof handlerTypes)[number][]): FieldError[] {
  if (!isRecord(h)) return [invalid(path, h, 'must be an object')];
  const handler = h as LifecycleHandler & { grpc?: { port?: number } };
  const errs: FieldError[] = [];
  const present = handlerTypes.filter((t) => (handler as Record<string, unknown>)[t] !== undefined && (handler as Record<string, unknown>)[t] !== null);
  if (present.length === 0) return [required(path, 'must specify a handler type')];
  for (const t of present.slice(1)) errs.push(forbidden(path.child(t), 'may not specify more than 1 handler type'));
  for (const t of present) if (!allowed.includes(t)) errs.push(forbidden(path.child(t), `may not be specified here`));
  if (isRecord(handler.exec)) {
    if (!Array.isArray(handler.exec.command) || handler.exec.command.length === 0) errs.push(required(path.child('exec').child('command')));
  }
  if (isRecord(handler.httpGet)) {
    const g = handler.httpGet;
    if (!g.path) errs.push(required(path.child('httpGet').child('path')));
    errs.push(...validatePortNumOrName(g.port, path.child('httpGet').child('port')));
    if (g.scheme !== undefined && g.scheme !== 'HTTP' && g.scheme !== 'HTTPS') errs.push(notSupported(path.child('httpGet').child('scheme'), g.scheme, ['HTTP', 'HTTPS']));
  }
  if (isRecord(handler.tcpSocket)) errs.push(...validatePortNumOrName(handler.tcpSocket.port, path.child('tcpSocket').child('port')));
  if (isRecord(handler.grpc)) {
    for (const msg of isValidPortNum(Number(handler.grpc.port))) errs.push(invalid(path.child('grpc').child('port'), handler.grpc.port, msg));
  }
  if (isRecord(handler.sleep)) {
    const s = handler.sleep.seconds;
    if (!Number.isInteger(s) || s < 0) errs.push(invalid(path.child('sleep').child('seconds'), s, 'must be non-negative'));
  }
  return errs;
}

function validatePortNumOrName(port: unknown, path: FieldPath): FieldError[] {
  if (port === undefined || port === null || port === '') return [required(path)];
  if (typeof port === 'number') return isValidPortNum(port).map((msg) => invalid(path, port, msg));
  if (typeof port === 'string') return isValidPortName(port).map((msg) => invalid(path, port, msg));
  return [invalid(path, port, 'must be an integer or a string')];
}
