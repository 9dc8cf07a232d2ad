// linux.seccomp of a container from its securityContext.seccompProfile, as the kubelet and
// containerd's CRI decide it: the container's profile, else the pod's, else RuntimeDefault (the
// kubelet's --seccomp-default, which Kubelab always has on); none for Unconfined and for a
// privileged container, whatever it asks.
import { release } from 'node:os';
import type { PodSecurityContext, SeccompProfile as PodSeccompProfile, SecurityContext } from 'kubernetes-types/core/v1';
import type { OciSeccomp } from './oci-types.ts';
import { runtimeDefaultProfile } from './seccomp-default.ts';
import { nativeArch, resolveSeccomp, SeccompProfileError, type SeccompProfile } from './seccomp-profile.ts';

export function effectiveSeccompProfile(sc: SecurityContext | undefined, podSc: PodSecurityContext | undefined): PodSeccompProfile {
  return sc?.seccompProfile ?? podSc?.seccompProfile ?? { type: 'RuntimeDefault' };
}

export interface SeccompInput {
  profile: PodSeccompProfile;
  privileged: boolean;
  /** The container's bounding set: RuntimeDefault allows what its capabilities would. */
  capabilities: readonly string[];
  /** The Localhost profile's file, read by the caller (readLocalhostProfile). */
  localhost?: SeccompProfile;
  /** process.arch and os.release() of the node, unless given. */
  arch?: string;
  kernel?: string;
}

export function containerSeccomp(input: SeccompInput): OciSeccomp | undefined {
  if (input.privileged) return undefined;
  const target = { arch: nativeArch(input.arch), capabilities: input.capabilities, kernel: input.kernel ?? release() };
  const { type, localhostProfile } = input.profile;
  switch (type) {
    case 'Unconfined':
      return undefined;
    case 'RuntimeDefault':
      return resolveSeccomp(runtimeDefaultProfile, target);
    case 'Localhost':
      if (!input.localhost) throw new SeccompProfileError(`seccomp profile "${localhostProfile ?? ''}" was not loaded`);
      return resolveSeccomp(input.localhost, target);
    default:
      throw new SeccompProfileError(`unknown seccomp profile type "${type}"`);
  }
}
