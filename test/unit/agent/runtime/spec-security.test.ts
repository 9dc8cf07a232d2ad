import { describe, expect, it } from 'vitest';
import {
  allCapabilities, capabilitiesFromMask, capabilitySet, defaultCapabilities, noNewPrivileges, ociCapabilities,
} from '../../../../src-main/agent/runtime/spec-security.ts';

describe('capabilities', () => {
  it("default to Docker's 14", () => {
    expect(capabilitySet(undefined)).toEqual([...defaultCapabilities]);
    expect(defaultCapabilities).toHaveLength(14);
    // The same set as a mask: what /proc/<pid>/status shows for a default container.
    expect(capabilitiesFromMask('00000000a80425fb').sort()).toEqual([...defaultCapabilities].sort());
  });

  it('add and drop, with or without the CAP_ prefix, any case', () => {
    const caps = capabilitySet({ capabilities: { add: ['NET_ADMIN', 'cap_sys_time'], drop: ['NET_RAW', 'mknod'] } });
    expect(caps).toContain('CAP_NET_ADMIN');
    expect(caps).toContain('CAP_SYS_TIME');
    expect(caps).not.toContain('CAP_NET_RAW');
    expect(caps).not.toContain('CAP_MKNOD');
    expect(caps).toHaveLength(14);
  });

  it('drop ALL then add some gives only those; add ALL then drop some gives all but those', () => {
    expect(capabilitySet({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } })).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(capabilitySet({ capabilities: { drop: ['all'] } })).toEqual([]);
    const most = capabilitySet({ capabilities: { add: ['ALL'], drop: ['SYS_ADMIN'] } });
    expect(most).toHaveLength(allCapabilities.length - 1);
    expect(most).not.toContain('CAP_SYS_ADMIN');
    // Both ALL: containerd adds all, then drops all.
    expect(capabilitySet({ capabilities: { add: ['ALL'], drop: ['ALL'] } })).toEqual([]);
  });

  it('privileged and ALL mean what the host grants', () => {
    const host = capabilitiesFromMask('000001fffeffffff');
    expect(host).not.toContain('CAP_SYS_RESOURCE');
    expect(host).toHaveLength(40);
    expect(capabilitySet({ privileged: true, capabilities: { drop: ['ALL'] } }, host)).toEqual(host);
    expect(capabilitySet({ capabilities: { add: ['ALL'] } }, host)).not.toContain('CAP_SYS_RESOURCE');
    expect(capabilitySet({ privileged: true })).toEqual([...allCapabilities]);
  });

  it('sets bounding, effective and permitted alike, no inheritable or ambient', () => {
    const oci = ociCapabilities({ capabilities: { drop: ['ALL'], add: ['KILL'] } });
    expect(oci).toEqual({ bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] });
  });
});

describe('no_new_privs', () => {
  it('on by default, unless the container may gain privileges anyway (privileged, CAP_SYS_ADMIN)', () => {
    expect(noNewPrivileges(undefined)).toBe(true);
    expect(noNewPrivileges({})).toBe(true);
    expect(noNewPrivileges({ capabilities: { add: ['NET_ADMIN'] } })).toBe(true);
    expect(noNewPrivileges({ privileged: true })).toBe(false);
    expect(noNewPrivileges({ capabilities: { add: ['SYS_ADMIN'] } })).toBe(false);
    expect(noNewPrivileges({ capabilities: { add: ['ALL'] } })).toBe(false);
    // The capabilities the container ends up with decide, e.g. "all" on a node whose agent lacks SYS_ADMIN.
    expect(noNewPrivileges({ capabilities: { add: ['ALL'] } }, ['CAP_CHOWN', 'CAP_KILL'])).toBe(true);
  });

  it('as allowPrivilegeEscalation says when set (the kubelet), never when privileged', () => {
    expect(noNewPrivileges({ allowPrivilegeEscalation: true })).toBe(false);
    expect(noNewPrivileges({ allowPrivilegeEscalation: false })).toBe(true);
    expect(noNewPrivileges({ allowPrivilegeEscalation: false, capabilities: { add: ['SYS_ADMIN'] } })).toBe(true);
    expect(noNewPrivileges({ allowPrivilegeEscalation: false, privileged: true })).toBe(false);
  });
});
