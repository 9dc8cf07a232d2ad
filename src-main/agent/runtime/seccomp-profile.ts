// A seccomp profile in Docker's format (what RuntimeDefault is written in, and what a Localhost
// profile file may be) resolved for one container on one node, as moby's setupSeccomp does:
// archMap picks the node's architecture and its compatible ones, and each rule's includes and
// excludes (arches, capabilities, minimum kernel) keep or drop it. A profile already in the OCI
// format (architectures, no conditions) passes through unchanged, as containerd reads it.
import type { OciSeccomp, OciSeccompArg, OciSyscall } from './oci-types.ts';

/** Conditions of a rule: Go's architecture names (amd64, arm64, x86...), CAP_* names, "4.8". */
export interface SeccompFilter {
  arches?: string[];
  caps?: string[];
  minKernel?: string;
}

export interface SeccompRule {
  names?: string[];
  /** A single name (the format's older spelling). */
  name?: string;
  action: string;
  errnoRet?: number;
  args?: OciSeccompArg[] | null;
  includes?: SeccompFilter;
  excludes?: SeccompFilter;
  comment?: string;
}

export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  /** Architecture → the ones it also runs (x86_64 runs x86 and x32 binaries). */
  archMap?: { architecture: string; subArchitectures?: string[] | null }[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: SeccompRule[] | null;
}

/** What a profile is resolved against. */
export interface SeccompTarget {
  /** Go's name for the node's architecture (nativeArch()). */
  arch: string;
  /** The container's bounding capabilities. */
  capabilities: readonly string[];
  /** The node's kernel release (os.release()). */
  kernel: string;
}

/** Node's process.arch → Go's GOARCH name, which profiles' includes.arches use. */
const goArch: Record<string, string> = {
  x64: 'amd64', ia32: 'x86', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64',
  mips: 'mips', mipsel: 'mipsel', mips64el: 'mipsel64', loong64: 'loong64',
};

/** GOARCH → libseccomp's architecture, which archMap and architectures use. */
const seccompArch: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64', x86: 'SCMP_ARCH_X86', arm64: 'SCMP_ARCH_AARCH64', arm: 'SCMP_ARCH_ARM',
  ppc64le: 'SCMP_ARCH_PPC64LE', s390x: 'SCMP_ARCH_S390X', riscv64: 'SCMP_ARCH_RISCV64', mips: 'SCMP_ARCH_MIPS',
  mipsel: 'SCMP_ARCH_MIPSEL', mipsel64: 'SCMP_ARCH_MIPSEL64', loong64: 'SCMP_ARCH_LOONGARCH64',
};

export function nativeArch(nodeArch: string = process.arch): string {
  return goArch[nodeArch] ?? nodeArch;
}

/** A profile that cannot be applied: the container fails to be created, as with containerd. */
export class SeccompProfileError extends Error {
  readonly reason = 'CreateContainerError';
}

export function resolveSeccomp(profile: SeccompProfile, target: SeccompTarget): OciSeccomp {
  if (typeof profile.defaultAction !== 'string' || profile.defaultAction === '') {
    throw new SeccompProfileError('the seccomp profile has no defaultAction');
  }
  if (profile.architectures?.length && profile.archMap?.length) {
    throw new SeccompProfileError("both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'");
  }
  const out: OciSeccomp = { defaultAction: profile.defaultAction };
  if (profile.defaultErrnoRet !== undefined) out.defaultErrnoRet = profile.defaultErrnoRet;
  const arches = profile.architectures?.length ? [...profile.architectures] : mappedArches(profile, target.arch);
  if (arches.length) out.architectures = arches;
  if (profile.flags?.length) out.flags = [...profile.flags];
  if (profile.listenerPath) out.listenerPath = profile.listenerPath;
  if (profile.listenerMetadata) out.listenerMetadata = profile.listenerMetadata;
  out.syscalls = (profile.syscalls ?? []).filter((r) => applies(r, target)).map(toOci);
  return out;
}

function mappedArches(profile: SeccompProfile, arch: string): string[] {
  const native = seccompArch[arch];
  const entry = profile.archMap?.find((a) => a.architecture === native);
  return entry ? [entry.architecture, ...(entry.subArchitectures ?? [])] : [];
}

/** moby's rule: any excluded arch or cap, or a kernel at the excluded minimum, drops the rule; every include must hold. */
function applies(rule: SeccompRule, t: SeccompTarget): boolean {
  const ex = rule.excludes ?? {};
  if (ex.arches?.includes(t.arch)) return false;
  if (ex.caps?.some((c) => t.capabilities.includes(c))) return false;
  if (ex.minKernel && kernelAtLeast(t.kernel, ex.minKernel)) return false;
  const inc = rule.includes ?? {};
  if (inc.arches?.length && !inc.arches.includes(t.arch)) return false;
  if (inc.caps?.some((c) => !t.capabilities.includes(c))) return false;
  if (inc.minKernel && !kernelAtLeast(t.kernel, inc.minKernel)) return false;
  return true;
}

function toOci(rule: SeccompRule): OciSyscall {
  const names = rule.names?.length ? [...rule.names] : rule.name ? [rule.name] : [];
  if (names.length === 0) throw new SeccompProfileError('a seccomp rule has no syscall names');
  const out: OciSyscall = { names, action: rule.action };
  if (rule.errnoRet !== undefined) out.errnoRet = rule.errnoRet;
  if (rule.args?.length) out.args = rule.args.map((a) => ({ ...a }));
  return out;
}

/** "6.18.44-fc" ≥ "4.8": major and minor compared as numbers. */
export function kernelAtLeast(release: string, min: string): boolean {
  const parse = (v: string) => {
    const m = /^(\d+)\.(\d+)/.exec(v);
    return m ? [Number(m[1]), Number(m[2])] : [0, 0];
  };
  const [a, b] = parse(release);
  const [x, y] = parse(min);
  return a !== x ? a > x : b >= y;
}
