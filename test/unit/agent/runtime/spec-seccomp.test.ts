import { describe, expect, it } from 'vitest';
import { containerSeccomp, effectiveSeccompProfile } from '../../../../src-main/agent/runtime/spec-seccomp.ts';
import { defaultCapabilities } from '../../../../src-main/agent/runtime/spec-security.ts';
import type { OciSeccomp } from '../../../../src-main/agent/runtime/oci-types.ts';

const runtimeDefault = { type: 'RuntimeDefault' };
const base = { profile: runtimeDefault, privileged: false, capabilities: defaultCapabilities, arch: 'x64', kernel: '6.1.0' };
const allowedNames = (s: OciSeccomp) => new Set(s.syscalls!.filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args).flatMap((r) => r.names));
const rulesFor = (s: OciSeccomp, name: string) => s.syscalls!.filter((r) => r.names.includes(name));

describe('a container seccomp profile', () => {
  it("is the container's, else the pod's, else RuntimeDefault", () => {
    expect(effectiveSeccompProfile(undefined, undefined)).toEqual(runtimeDefault);
    expect(effectiveSeccompProfile(undefined, { seccompProfile: { type: 'Unconfined' } })).toEqual({ type: 'Unconfined' });
    expect(effectiveSeccompProfile({ seccompProfile: { type: 'Localhost', localhostProfile: 'a.json' } }, { seccompProfile: { type: 'Unconfined' } }))
      .toEqual({ type: 'Localhost', localhostProfile: 'a.json' });
  });

  it('RuntimeDefault: everything else EPERM, for x86_64 and its 32-bit ABIs', () => {
    const s = containerSeccomp(base)!;
    expect(s).toMatchObject({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'] });
    const allowed = allowedNames(s);
    for (const n of ['read', 'openat', 'execve', 'futex', 'epoll_wait', 'arch_prctl', 'modify_ldt', 'ptrace', 'chroot']) expect(allowed).toContain(n);
    // What the kernel would let root do without any capability, but which reaches outside the container.
    for (const n of ['keyctl', 'add_key', 'request_key', 'unshare', 'mount', 'setns', 'reboot', 'swapon', 'kexec_load', 'bpf', 'userfaultfd', 'open_by_handle_at']) {
      expect(rulesFor(s, n)).toEqual([]);
    }
    // clone only without namespace flags; clone3 says ENOSYS so that libc falls back to clone.
    expect(rulesFor(s, 'clone')).toEqual([{ names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] }]);
    expect(rulesFor(s, 'clone3')).toEqual([{ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }]);
    expect(rulesFor(s, 'socket')).toEqual([{ names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 40, op: 'SCMP_CMP_NE' }] }]);
    expect(rulesFor(s, 'personality').map((r) => r.args![0].value)).toEqual([0, 8, 0x20000, 0x20008, 0xffffffff]);
    // No arm or s390 calls on x86.
    for (const n of ['set_tls', 'cacheflush', 's390_runtime_instr', 'riscv_flush_icache']) expect(rulesFor(s, n)).toEqual([]);
  });

  it('RuntimeDefault on arm64: aarch64 and 32-bit arm, their own calls', () => {
    const s = containerSeccomp({ ...base, arch: 'arm64' })!;
    expect(s.architectures).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    const allowed = allowedNames(s);
    for (const n of ['set_tls', 'cacheflush', 'arm_fadvise64_64', 'breakpoint']) expect(allowed).toContain(n);
    expect(allowed).not.toContain('arch_prctl');
    expect(allowed).not.toContain('modify_ldt');
  });

  it('RuntimeDefault allows what added capabilities allow', () => {
    const admin = containerSeccomp({ ...base, capabilities: [...defaultCapabilities, 'CAP_SYS_ADMIN', 'CAP_SYS_TIME', 'CAP_SYS_PTRACE', 'CAP_SYS_BOOT'] })!;
    const allowed = allowedNames(admin);
    for (const n of ['unshare', 'mount', 'setns', 'clone', 'clone3', 'clock_settime', 'kcmp', 'reboot']) expect(allowed).toContain(n);
    // Holding CAP_SYS_ADMIN, clone and clone3 are allowed whole: no masked rule, no ENOSYS.
    expect(rulesFor(admin, 'clone3')).toEqual([expect.objectContaining({ action: 'SCMP_ACT_ALLOW' })]);
    expect(rulesFor(admin, 'clone').every((r) => !r.args)).toBe(true);
    // Dropping a default capability removes what it allowed.
    expect(allowedNames(containerSeccomp({ ...base, capabilities: ['CAP_CHOWN'] })!)).not.toContain('chroot');
  });

  it('drops ptrace on a kernel older than 4.8, which let it bypass seccomp', () => {
    expect(allowedNames(containerSeccomp({ ...base, kernel: '4.4.0-210-generic' })!)).not.toContain('ptrace');
  });

  it('none for Unconfined and for a privileged container, whatever it asks', () => {
    expect(containerSeccomp({ ...base, profile: { type: 'Unconfined' } })).toBeUndefined();
    expect(containerSeccomp({ ...base, privileged: true })).toBeUndefined();
    expect(containerSeccomp({ ...base, privileged: true, profile: { type: 'Localhost', localhostProfile: 'x.json' } })).toBeUndefined();
  });

  it('Localhost: the file read for it, resolved the same way', () => {
    const localhost = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] };
    expect(containerSeccomp({ ...base, profile: { type: 'Localhost', localhostProfile: 'deny-mkdir.json' }, localhost }))
      .toEqual({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] });
    expect(() => containerSeccomp({ ...base, profile: { type: 'Localhost', localhostProfile: 'deny-mkdir.json' } })).toThrow('seccomp profile "deny-mkdir.json" was not loaded');
    expect(() => containerSeccomp({ ...base, profile: { type: 'Strict' } })).toThrow('unknown seccomp profile type "Strict"');
  });
});
