// A pod's volumes (ValidateVolumes): unique DNS-label names, exactly one source, the required
// fields of the common sources, file modes.
import type { Volume } from 'kubernetes-types/core/v1.js';
import { duplicate, FieldPath, forbidden, invalid, required, type FieldError } from '../../field-errors.ts';
import { isDNS1123Label } from '../../validation/names.ts';
import { validateQuantityText } from '../../../util/quantity.ts';
import { volumeSourceNames } from './defaults.ts';
import { isRecord, items } from './json.ts';

const modeMessage = 'must be a number between 0 and 0777 (octal), both inclusive';

function validateMode(mode: unknown, path: FieldPath): FieldError[] {
  if (mode === undefined || mode === null) return [];
  return Number.isInteger(mode) && (mode as number) >= 0 && (mode as number) <= 0o777 ? [] : [invalid(path, mode, modeMessage)];
}

/** Validates volumes and returns the names declared, for the containers' volumeMounts. */
export function validateVolumes(volumes: unknown, path: FieldPath): { errors: FieldError[]; names: Set<string> } {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  if (volumes !== undefined && volumes !== null && !Array.isArray(volumes)) return { errors: [invalid(path, volumes, 'must be a list')], names };
  items<Volume>(volumes).forEach((v, i) => {
    const at = path.index(i);
    if (!isRecord(v)) return errors.push(invalid(at, v, 'must be an object'));
    if (!v.name) errors.push(required(at.child('name')));
    else {
      for (const msg of isDNS1123Label(v.name)) errors.push(invalid(at.child('name'), v.name, msg));
      if (names.has(v.name)) errors.push(duplicate(at.child('name'), v.name));
      names.add(v.name);
    }
    const sources = volumeSourceNames.filter((s) => (v as unknown as Record<string, unknown>)[s] != null);
    if (sources.length === 0) errors.push(required(at, 'must specify a volume type'));
    for (const s of sources.slice(1)) errors.push(forbidden(at.child(s), 'may not specify more than 1 volume type'));
    errors.push(...validateSource(v, at));
  });
  return { errors, names };
}

function validateSource(v: Volume, at: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (isRecord(v.configMap)) {
    if (!v.configMap.name) errs.push(required(at.child('configMap').child('name')));
    errs.push(...validateMode(v.configMap.defaultMode, at.child('configMap').child('defaultMode')));
    errs.push(...validateKeyToPaths(v.configMap.items, at.child('configMap').child('items')));
  }
  if (isRecord(v.secret)) {
    if (!v.secret.secretName) errs.push(required(at.child('secret').child('secretName')));
    errs.push(...validateMode(v.secret.defaultMode, at.child('secret').child('defaultMode')));
    errs.push(...validateKeyToPaths(v.secret.items, at.child('secret').child('items')));
  }
  if (isRecord(v.hostPath)) {
    if (!v.hostPath.path) errs.push(required(at.child('hostPath').child('path')));
    const types = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];
    if (v.hostPath.type !== undefined && !types.includes(v.hostPath.type)) {
      errs.push({ type: 'FieldValueNotSupported', field: String(at.child('hostPath').child('type')), value: v.hostPath.type, detail: `supported values: ${types.map((t) => JSON.stringify(t)).join(', ')}` });
    }
  }
  if (isRecord(v.persistentVolumeClaim) && !v.persistentVolumeClaim.claimName) errs.push(required(at.child('persistentVolumeClaim').child('claimName')));
  if (isRecord(v.emptyDir)) {
    const medium = v.emptyDir.medium;
    if (medium !== undefined && medium !== '' && medium !== 'Memory' && !String(medium).startsWith('HugePages')) {
      errs.push({ type: 'FieldValueNotSupported', field: String(at.child('emptyDir').child('medium')), value: medium, detail: 'supported values: "", "Memory", "HugePages"' });
    }
    if (v.emptyDir.sizeLimit !== undefined) {
      for (const msg of validateQuantityText(v.emptyDir.sizeLimit)) errs.push(invalid(at.child('emptyDir').child('sizeLimit'), v.emptyDir.sizeLimit, msg));
    }
  }
  if (isRecord(v.downwardAPI)) errs.push(...validateMode(v.downwardAPI.defaultMode, at.child('downwardAPI').child('defaultMode')));
  if (isRecord(v.projected)) errs.push(...validateMode(v.projected.defaultMode, at.child('projected').child('defaultMode')));
  if (isRecord(v.nfs)) {
    if (!v.nfs.server) errs.push(required(at.child('nfs').child('server')));
    if (!v.nfs.path) errs.push(required(at.child('nfs').child('path')));
  }
  return errs;
}

function validateKeyToPaths(list: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  items<{ key?: string; path?: string; mode?: number }>(list).forEach((kp, i) => {
    const at = path.index(i);
    if (!isRecord(kp)) return errs.push(invalid(at, kp, 'must be an object'));
    if (!kp.key) errs.push(required(at.child('key')));
    if (!kp.path) errs.push(required(at.child('path')));
    else if (typeof kp.path !== 'string') errs.push(invalid(at.child('path'), kp.path, 'must be a string'));
    else if (kp.path.startsWith('/')) errs.push(invalid(at.child('path'), kp.path, 'must be a relative path'));
    else if (kp.path.split('/').includes('..')) errs.push(invalid(at.child('path'), kp.path, "must not contain '..'"));
    errs.push(...validateMode(kp.mode, at.child('mode')));
  });
  return errs;
}
