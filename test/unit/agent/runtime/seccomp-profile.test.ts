import { describe, expect, it } from 'vitest';
import { kernelAtLeast, nativeArch, resolveSeccomp, type SeccompProfile } from '../../../../src-main/agent/runtime/seccomp-profile.ts';

const amd64 = { arch: 'amd64', capabilities: ['CAP_CHOWN'], kernel: '6.1.0-13-amd64' };

describe('seccomp profiles in Docker format, resolved for a container', () => {
  const profile: SeccompProfile = {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    archMap: [
      { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
      { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
    ],
    syscalls: [
      { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
      { name: 'getpid', action: 'SCMP_ACT_ALLOW', args: null },
      { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
      { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
      { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }], excludes: { caps: ['CAP_SYS_ADMIN'] } },
      { names: ['ptrace'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '4.8' } },
      { names: ['old'], action: 'SCMP_ACT_ALLOW', excludes: { minKernel: '5.0' } },
    ],
  };
  const names = (p: ReturnType<typeof resolveSeccomp>) => p.syscalls!.flatMap((s) => s.names);

  it('maps the node architecture to it and its compatible ones', () => {
    expect(resolveSeccomp(profile, amd64).architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(resolveSeccomp(profile, { ...amd64, arch: 'arm64' }).architectures).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    // An architecture the map lacks: the runtime's native one only.
    expect(resolveSeccomp(profile, { ...amd64, arch: 's390x' }).architectures).toBeUndefined();
    expect(nativeArch('x64')).toBe('amd64');
    expect(nativeArch('arm64')).toBe('arm64');
  });

  it('keeps a rule only where its arches, capabilities and kernel hold', () => {
    const plain = resolveSeccomp(profile, amd64);
    expect(plain).toMatchObject({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1 });
    expect(names(plain)).toEqual(['read', 'write', 'getpid', 'arch_prctl', 'clone', 'ptrace']);
    expect(plain.syscalls!.find((s) => s.names[0] === 'clone')!.args).toEqual([{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]);
    expect(plain.syscalls![0]).toEqual({ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' });
    expect(names(resolveSeccomp(profile, { ...amd64, arch: 'arm64' }))).not.toContain('arch_prctl');
    const admin = names(resolveSeccomp(profile, { ...amd64, capabilities: ['CAP_SYS_ADMIN'] }));
    expect(admin).toContain('mount');
    expect(admin).not.toContain('clone');
    expect(names(resolveSeccomp(profile, { ...amd64, kernel: '4.4.0' }))).toEqual(['read', 'write', 'getpid', 'arch_prctl', 'clone', 'old']);
  });

  it('passes a profile in OCI format through', () => {
    const oci: SeccompProfile = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] };
    expect(resolveSeccomp(oci, amd64)).toEqual(oci);
    expect(resolveSeccomp({ defaultAction: 'SCMP_ACT_LOG' }, amd64)).toEqual({ defaultAction: 'SCMP_ACT_LOG', syscalls: [] });
  });

  it('refuses what cannot be applied', () => {
    expect(() => resolveSeccomp({ ...profile, architectures: ['SCMP_ARCH_X86_64'] }, amd64)).toThrow(/both 'architectures' and 'archMap'/);
    expect(() => resolveSeccomp({} as SeccompProfile, amd64)).toThrow('the seccomp profile has no defaultAction');
    expect(() => resolveSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ action: 'SCMP_ACT_ERRNO' }] }, amd64)).toThrow(/no syscall names/);
  });

  it('compares kernel releases by major and minor', () => {
    expect(kernelAtLeast('6.18.44-fc-v657', '4.8')).toBe(true);
    expect(kernelAtLeast('4.8.0', '4.8')).toBe(true);
    expect(kernelAtLeast('4.7.10', '4.8')).toBe(false);
    expect(kernelAtLeast('3.10.0-1160.el7', '4.8')).toBe(false);
  });
});
