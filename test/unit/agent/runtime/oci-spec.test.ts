import { describe, expect, it } from 'vitest';
import type { Container, Pod } from 'kubernetes-types/core/v1';
import { buildSpec, type ContainerSpecInput } from '../../../../src-main/agent/runtime/oci-spec.ts';

const pod: Pod = { metadata: { name: 'web-1', namespace: 'shop', uid: 'u-1' }, spec: { containers: [] } };
const image = { entrypoint: ['/docker-entrypoint.sh'], cmd: ['nginx', '-g', 'daemon off;'], env: ['PATH=/usr/sbin:/usr/bin', 'NGINX_VERSION=1.25'], workingDir: '/srv', user: 'nginx' };
const userDb = { passwd: 'root:x:0:0::/root:/bin/sh\nnginx:x:101:101::/:/bin/false\n', group: 'root:x:0:\nnginx:x:101:\n' };

function input(container: Partial<Container>, extra: Partial<ContainerSpecInput> = {}): ContainerSpecInput {
  return {
    pod, container: { name: 'nginx', ...container }, image, env: [], userDb, rootfs: '/var/lib/kubelab/c1/rootfs',
    hostname: 'web-1', namespacePaths: { network: '/var/run/netns/pod-u-1' }, cgroupsPath: '/kubelab/a/podu-1/c1', ...extra,
  };
}

describe('OCI spec from a pod container', () => {
  it('is a complete config.json for the plain case', () => {
    const spec = buildSpec(input({}, {
      env: [{ name: 'NGINX_VERSION', value: 'custom' }, { name: 'POD', value: 'web-1' }],
      etcFiles: { hosts: '/pods/u-1/hosts', resolvConf: '/pods/u-1/resolv.conf', hostname: '/pods/u-1/hostname' },
      volumes: [{ source: '/pods/u-1/volumes/data', destination: '/data' }],
      resourceOptions: { pidsLimit: 4096 },
      oomScoreAdj: 1000,
    }));
    expect(spec.ociVersion).toBe('1.0.2');
    expect(spec.process).toMatchObject({
      terminal: false, args: ['/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;'], cwd: '/srv',
      env: ['PATH=/usr/sbin:/usr/bin', 'NGINX_VERSION=custom', 'POD=web-1'],
      user: { uid: 101, gid: 101, additionalGids: [101] }, noNewPrivileges: true, oomScoreAdj: 1000,
    });
    expect(spec.process.capabilities.bounding).toHaveLength(14);
    expect(spec.root).toEqual({ path: '/var/lib/kubelab/c1/rootfs', readonly: false });
    expect(spec.hostname).toBe('web-1');
    expect(spec.mounts.find((m) => m.destination === '/etc/hosts')).toEqual({ destination: '/etc/hosts', type: 'bind', source: '/pods/u-1/hosts', options: ['rbind', 'rprivate', 'rw'] });
    expect(spec.mounts.map((m) => m.destination)).toEqual(expect.arrayContaining(['/etc/resolv.conf', '/etc/hostname', '/data', '/proc', '/sys/fs/cgroup']));
    expect(spec.linux.namespaces).toContainEqual({ type: 'network', path: '/var/run/netns/pod-u-1' });
    expect(spec.linux.cgroupsPath).toBe('/kubelab/a/podu-1/c1');
    expect(spec.linux.resources.pids).toEqual({ limit: 4096 });
    expect(spec.linux.maskedPaths).toContain('/proc/kcore');
    expect(spec.linux.readonlyPaths).toContain('/proc/sys');
    expect(spec.linux.seccomp).toMatchObject({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1 });
    expect(spec.linux.devices).toBeUndefined();
    expect(spec.annotations).toMatchObject({ 'io.kubernetes.cri.sandbox-name': 'web-1', 'io.kubernetes.cri.sandbox-namespace': 'shop', 'io.kubernetes.cri.container-name': 'nginx' });
    // Serialisable as is.
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
  });

  it('expands $(VAR) in command/args from the container env', () => {
    const spec = buildSpec(input({ command: ['sh', '-c'], args: ['echo $(GREETING) $$HOME'] }, { env: [{ name: 'GREETING', value: 'hi' }] }));
    expect(spec.process.args).toEqual(['sh', '-c', 'echo hi $HOME']);
  });

  it('applies the security context: user, read-only root (and /etc files), caps, no_new_privs', () => {
    const spec = buildSpec(input({
      securityContext: { runAsUser: 1234, runAsGroup: 5678, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    }, { etcFiles: { hosts: '/pods/u-1/hosts' } }));
    expect(spec.process.user).toEqual({ uid: 1234, gid: 5678, additionalGids: [5678] });
    expect(spec.root.readonly).toBe(true);
    expect(spec.mounts.find((m) => m.destination === '/etc/hosts')?.options).toContain('ro');
    expect(spec.process.capabilities.effective).toEqual([]);
    expect(spec.process.noNewPrivileges).toBe(true);
  });

  it('takes runAsUser and groups from the pod security context when the container sets none', () => {
    const p: Pod = { ...pod, spec: { containers: [], securityContext: { runAsUser: 2000, supplementalGroups: [3000], fsGroup: 4000 } } };
    expect(buildSpec({ ...input({}), pod: p }).process.user).toEqual({ uid: 2000, gid: 0, additionalGids: [0, 3000, 4000] });
    const own = buildSpec({ ...input({ securityContext: { runAsUser: 7 } }), pod: p }).process.user;
    expect(own.uid).toBe(7);
  });

  it('opens up a privileged container: all caps, no masked paths, all devices, writable /sys, no seccomp', () => {
    const kmsg = { path: '/dev/kmsg', type: 'c' as const, major: 1, minor: 11, fileMode: 0o644, uid: 0, gid: 0 };
    const spec = buildSpec(input({ securityContext: { privileged: true, allowPrivilegeEscalation: false, seccompProfile: { type: 'RuntimeDefault' } } }, {
      hostCapabilities: ['CAP_SYS_ADMIN', 'CAP_NET_ADMIN'], hostDevices: [kmsg],
    }));
    expect(spec.process.capabilities.bounding).toEqual(['CAP_SYS_ADMIN', 'CAP_NET_ADMIN']);
    expect(spec.process.noNewPrivileges).toBe(false);
    expect(spec.linux.maskedPaths).toBeUndefined();
    expect(spec.linux.readonlyPaths).toBeUndefined();
    expect(spec.linux.resources.devices).toEqual([{ allow: true, access: 'rwm' }]);
    expect(spec.linux.devices).toEqual([kmsg]);
    expect(spec.linux.seccomp).toBeUndefined();
    expect(spec.mounts.find((m) => m.destination === '/sys')?.options).not.toContain('ro');
  });

  it("applies the container's or the pod's seccomp profile, RuntimeDefault when neither has one", () => {
    const unconfinedPod: Pod = { ...pod, spec: { containers: [], securityContext: { seccompProfile: { type: 'Unconfined' } } } };
    expect(buildSpec({ ...input({}), pod: unconfinedPod }).linux.seccomp).toBeUndefined();
    const own = buildSpec({ ...input({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }), pod: unconfinedPod });
    expect(own.linux.seccomp?.defaultAction).toBe('SCMP_ACT_ERRNO');
    const localhost = { defaultAction: 'SCMP_ACT_LOG' };
    const fromFile = buildSpec(input({ securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'audit.json' } } }, { localhostSeccompProfile: localhost }));
    expect(fromFile.linux.seccomp).toEqual({ defaultAction: 'SCMP_ACT_LOG', syscalls: [] });
    // RuntimeDefault follows the capabilities: CAP_SYS_ADMIN brings mount, and no_new_privs goes.
    const admin = buildSpec(input({ securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }, { arch: 'arm64' }));
    expect(admin.linux.seccomp?.architectures).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    expect(admin.linux.seccomp?.syscalls?.some((r) => r.names.includes('mount'))).toBe(true);
    expect(admin.process.noNewPrivileges).toBe(false);
  });

  it('puts a host-network pod in the node network and uts namespaces, without a hostname', () => {
    const p: Pod = { ...pod, spec: { containers: [], hostNetwork: true } };
    const spec = buildSpec({ ...input({}), pod: p, namespacePaths: {} });
    expect(spec.linux.namespaces.map((n) => n.type)).toEqual(['pid', 'ipc', 'mount']);
    expect(spec.hostname).toBeUndefined();
    // On a test host the node's network is a named namespace: joined by path, UTS still the host's.
    const onTestHost = buildSpec({ ...input({}), pod: p, namespacePaths: { network: '/run/netns/node-a' } });
    expect(onTestHost.linux.namespaces).toEqual([{ type: 'pid' }, { type: 'network', path: '/run/netns/node-a' }, { type: 'ipc' }, { type: 'mount' }]);
  });

  it('falls back to the image for args, cwd and user, and to root and / without them', () => {
    const spec = buildSpec({ ...input({ workingDir: '/app', args: ['-v'] }), image: {} });
    expect(spec.process).toMatchObject({ args: ['-v'], cwd: '/app', user: { uid: 0, gid: 0 }, env: [] });
    expect(() => buildSpec({ ...input({}), image: { user: 'www' } })).toThrow(/unable to find user www/);
  });

  it('converts resources', () => {
    const spec = buildSpec(input({ resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '2', memory: '128Mi' } } }, { resourceOptions: { limitSwap: true } }));
    expect(spec.linux.resources.cpu).toEqual({ shares: 102, quota: 200_000, period: 100_000 });
    expect(spec.linux.resources.memory).toEqual({ limit: 128 * 1024 * 1024, swap: 128 * 1024 * 1024 });
  });
});
