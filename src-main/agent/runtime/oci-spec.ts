// A container's OCI runtime spec (config.json) from its pod, its container, its image config and
// the paths the kubelet prepared: what kubelet + containerd's CRI would hand to runc. Pure: the
// caller reads the rootfs's /etc/passwd and /etc/group (readUserDb) and resolves env sources.
import type { Container, Pod } from 'kubernetes-types/core/v1';
import type { OciDevice, OciSpec } from './oci-types.ts';
import { containerEnv, mergeEnv, processArgs, workingDir, type ImageProcessConfig, type ResolvedEnvVar } from './spec-process.ts';
import { resolveUser, type UserDb } from './spec-user.ts';
import { noNewPrivileges, ociCapabilities } from './spec-security.ts';
import { containerMounts, defaultMaskedPaths, defaultReadonlyPaths, type BindMount } from './spec-mounts.ts';
import { namespaces, resources, type NamespacePaths, type ResourceOptions } from './spec-linux.ts';
import { containerSeccomp, effectiveSeccompProfile } from './spec-seccomp.ts';
import type { SeccompProfile } from './seccomp-profile.ts';

export const ociVersion = '1.0.2';

export interface ContainerSpecInput {
  pod: Pod;
  container: Container;
  /** The image's config (OCI image spec `config`), {} for none. */
  image: ImageProcessConfig;
  /** The container's env in order: envFrom entries first, then env, values already resolved. */
  env: readonly ResolvedEnvVar[];
  /** The rootfs's /etc/passwd and /etc/group, for user names and primary groups. */
  userDb: UserDb;
  /** The bundle's root filesystem (the overlay's merged dir). */
  rootfs: string;
  /** The pod's hostname (pod.spec.hostname or its name); ignored for host-network pods. */
  hostname: string;
  /** Namespaces to join: the pod's network namespace, shared by all its containers. */
  namespacePaths: NamespacePaths;
  /** The pod's /etc/hosts, /etc/hostname and /etc/resolv.conf files the kubelet wrote. */
  etcFiles?: { hosts?: string; hostname?: string; resolvConf?: string };
  /** Volume mounts, already resolved to host paths. */
  volumes?: readonly BindMount[];
  /** runc's cgroupsPath (cgroupfs style: /kubelab/<agent>/pod<uid>/<id>). */
  cgroupsPath: string;
  resourceOptions?: ResourceOptions;
  /** What "all capabilities" means on this node (hostCapabilities()); every known one if unset. */
  hostCapabilities?: readonly string[];
  /** The QoS class's oom_score_adj (the kubelet's GetContainerOOMScoreAdjust). */
  oomScoreAdj?: number;
  /** The file of a Localhost seccomp profile (readLocalhostProfile), when the container has one. */
  localhostSeccompProfile?: SeccompProfile;
  /** The node's devices (hostDevices()), which a privileged container gets. */
  hostDevices?: readonly OciDevice[];
  /** The node's process.arch and kernel release, for the seccomp profile; this process's if unset. */
  arch?: string;
  kernel?: string;
}

export function buildSpec(input: ContainerSpecInput): OciSpec {
  const { pod, container, image } = input;
  const sc = container.securityContext;
  const podSc = pod.spec?.securityContext;
  const privileged = sc?.privileged === true;
  const hostNetwork = pod.spec?.hostNetwork === true;
  const env = containerEnv(input.env);
  const capabilities = ociCapabilities(sc, input.hostCapabilities);
  const seccomp = containerSeccomp({
    profile: effectiveSeccompProfile(sc, podSc), privileged, capabilities: capabilities.bounding,
    localhost: input.localhostSeccompProfile, arch: input.arch, kernel: input.kernel,
  });
  const user = resolveUser({
    runAsUser: sc?.runAsUser ?? podSc?.runAsUser,
    runAsGroup: sc?.runAsGroup ?? podSc?.runAsGroup,
    imageUser: image.user,
    supplementalGroups: podSc?.supplementalGroups,
    fsGroup: podSc?.fsGroup,
  }, input.userDb);
  return {
    ociVersion,
    process: {
      // A terminal needs the container's stdin too: runc's is then the shim's script(1) pty.
      terminal: container.tty === true && container.stdin === true,
      user,
      args: processArgs(container.command, container.args, image, env),
      env: mergeEnv(image.env, env),
      cwd: workingDir(container.workingDir, image),
      capabilities,
      noNewPrivileges: noNewPrivileges(sc, capabilities.bounding),
      ...(input.oomScoreAdj === undefined ? {} : { oomScoreAdj: input.oomScoreAdj }),
    },
    root: { path: input.rootfs, readonly: sc?.readOnlyRootFilesystem === true },
    ...(hostNetwork ? {} : { hostname: input.hostname }),
    mounts: containerMounts(privileged, [...etcMounts(input), ...(input.volumes ?? [])]),
    annotations: annotations(pod, container),
    linux: {
      namespaces: namespaces(input.namespacePaths, {
        network: hostNetwork, pid: pod.spec?.hostPID === true, ipc: pod.spec?.hostIPC === true,
      }),
      resources: resources(container.resources, privileged, input.resourceOptions ?? {}),
      cgroupsPath: input.cgroupsPath,
      // A privileged container sees /proc and /sys unmasked and the node's devices, as with
      // docker --privileged (the devices cgroup then allows them all).
      ...(privileged
        ? { devices: [...(input.hostDevices ?? [])] }
        : { maskedPaths: [...defaultMaskedPaths], readonlyPaths: [...defaultReadonlyPaths] }),
      ...(seccomp ? { seccomp } : {}),
    },
  };
}

/** The pod's /etc files: read-only when the root filesystem is (containerd's rule). */
function etcMounts(input: ContainerSpecInput): BindMount[] {
  const readOnly = input.container.securityContext?.readOnlyRootFilesystem === true;
  const files = input.etcFiles ?? {};
  const out: BindMount[] = [];
  if (files.hosts) out.push({ source: files.hosts, destination: '/etc/hosts', readOnly });
  if (files.hostname) out.push({ source: files.hostname, destination: '/etc/hostname', readOnly });
  if (files.resolvConf) out.push({ source: files.resolvConf, destination: '/etc/resolv.conf', readOnly });
  return out;
}

/** The CRI's annotations, so a runc list can be mapped back to pods without the agent's state. */
function annotations(pod: Pod, container: Container): Record<string, string> {
  return {
    'io.kubernetes.cri.container-type': 'container',
    'io.kubernetes.cri.container-name': container.name,
    'io.kubernetes.cri.sandbox-name': pod.metadata?.name ?? '',
    'io.kubernetes.cri.sandbox-namespace': pod.metadata?.namespace ?? '',
    'io.kubernetes.cri.sandbox-uid': pod.metadata?.uid ?? '',
  };
}
