// The security contexts of a pod and its containers, as far as the node applies them
// (ValidateSecurityContext, validateSeccompProfileField): the seccomp profile's type and
// Localhost file, and allowPrivilegeEscalation: false, which a privileged or CAP_SYS_ADMIN
// container could not keep.
import type { SeccompProfile, SecurityContext } from 'kubernetes-types/core/v1.js';
import { FieldPath, invalid, notSupported, required, type FieldError } from '../../field-errors.ts';
import { isRecord } from './json.ts';

const seccompTypes = ['RuntimeDefault', 'Unconfined', 'Localhost'];

export function validateSeccompProfile(profile: unknown, path: FieldPath): FieldError[] {
  if (profile === undefined || profile === null) return [];
  if (!isRecord(profile)) return [invalid(path, profile, 'must be an object')];
  const sp = profile as SeccompProfile;
  const local = path.child('localhostProfile');
  if (sp.type === 'Localhost') {
    if (sp.localhostProfile === undefined || sp.localhostProfile === null) return [required(local, 'must be set when seccomp type is Localhost')];
    return validateLocalDescendingPath(sp.localhostProfile, local);
  }
  if (sp.localhostProfile !== undefined && sp.localhostProfile !== null) return [invalid(local, sp, 'can only be set when seccomp type is Localhost')];
  if (!sp.type) return [required(path.child('type'), 'type is required when seccompProfile is set')];
  if (!seccompTypes.includes(sp.type)) return [notSupported(path.child('type'), sp.type, seccompTypes)];
  return [];
}

/** A path under some root the node chooses: relative, never climbing out with "..". */
function validateLocalDescendingPath(p: unknown, path: FieldPath): FieldError[] {
  if (typeof p !== 'string') return [invalid(path, p, 'must be a string')];
  const errs: FieldError[] = [];
  if (p.startsWith('/')) errs.push(invalid(path, p, 'must be a relative path'));
  if (p.split('/').includes('..')) errs.push(invalid(path, p, "must not contain '..'"));
  return errs;
}

export function validateContainerSecurityContext(sc: unknown, path: FieldPath): FieldError[] {
  if (sc === undefined || sc === null) return [];
  if (!isRecord(sc)) return [invalid(path, sc, 'must be an object')];
  const s = sc as SecurityContext;
  const errs = validateSeccompProfile(s.seccompProfile, path.child('seccompProfile'));
  if (s.allowPrivilegeEscalation === false) {
    if (s.privileged === true) errs.push(invalid(path, s, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    // Upstream compares the name as written, with its prefix.
    if (Array.isArray(s.capabilities?.add) && s.capabilities.add.includes('CAP_SYS_ADMIN')) {
      errs.push(invalid(path, s, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
    }
  }
  return errs;
}
