// The ServiceAccount admission of new pods, field for field as upstream's plugin adds it: the
// "default" service account, and the kube-api-access-<5> projected volume (token, CA, namespace)
// mounted read-only in every container, unless the pod or its service account opts out, the pod
// mounts something there itself, or it is a mirror pod. No service account: no token.
import type { PodSpec, ServiceAccount } from 'kubernetes-types/core/v1';
import { describe, expect, it } from 'vitest';
import { admitServiceAccount, TOKEN_MOUNT_PATH } from '../../../../src-main/api/resources/podspec/service-account-admission.ts';

const accounts: Record<string, ServiceAccount> = {
  'app/default': { metadata: { name: 'default', namespace: 'app' } },
  'app/quiet': { metadata: { name: 'quiet', namespace: 'app' }, automountServiceAccountToken: false },
};
const lookup = async (ns: string, name: string) => accounts[`${ns}/${name}`];
const spec = (): PodSpec => ({ initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] });

describe('ServiceAccount admission', () => {
  it('adds the kube-api-access volume and mounts it in every container', async () => {
    const s = spec();
    await admitServiceAccount(s, 'app', undefined, lookup);
    expect(s.serviceAccountName).toBe('default');
    expect(s.serviceAccount).toBe('default');
    const name = s.volumes![0].name;
    expect(name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(s.volumes).toEqual([{
      name,
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    }]);
    const mount = { name, readOnly: true, mountPath: TOKEN_MOUNT_PATH };
    expect(s.initContainers![0].volumeMounts).toEqual([mount]);
    expect(s.containers[0].volumeMounts).toEqual([mount]);
    expect(s.containers[1].volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }, mount]);
  });

  it('adds nothing when the pod or its service account says automountServiceAccountToken: false', async () => {
    const quiet = { ...spec(), serviceAccountName: 'quiet' };
    await admitServiceAccount(quiet, 'app', undefined, lookup);
    expect(quiet.volumes).toBeUndefined();
    const optOut = { ...spec(), automountServiceAccountToken: false };
    await admitServiceAccount(optOut, 'app', undefined, lookup);
    expect(optOut.volumes).toBeUndefined();
    const optIn = { ...spec(), serviceAccountName: 'quiet', automountServiceAccountToken: true };
    await admitServiceAccount(optIn, 'app', undefined, lookup);
    expect(optIn.volumes).toHaveLength(1);
  });

  it('adds nothing for a missing service account, a mirror pod, or without a store', async () => {
    const missing = { ...spec(), serviceAccountName: 'ghost' };
    await admitServiceAccount(missing, 'app', undefined, lookup);
    expect(missing.volumes).toBeUndefined();
    const mirror = spec();
    await admitServiceAccount(mirror, 'app', { 'kubernetes.io/config.mirror': 'x' }, lookup);
    expect(mirror.volumes).toBeUndefined();
    const none = spec();
    await admitServiceAccount(none, 'app', undefined);
    expect(none).toMatchObject({ serviceAccountName: 'default' });
    expect(none.volumes).toBeUndefined();
  });

  it('keeps a pod\'s own mount at the path and a token volume it already has', async () => {
    const own = spec();
    own.containers = [{ name: 'a', image: 'x', volumeMounts: [{ name: 'mine', mountPath: TOKEN_MOUNT_PATH }] }];
    own.initContainers = [];
    await admitServiceAccount(own, 'app', undefined, lookup);
    expect(own.volumes).toBeUndefined();
    const copied = spec();
    copied.volumes = [{ name: 'kube-api-access-abcde', projected: { sources: [] } }];
    await admitServiceAccount(copied, 'app', undefined, lookup);
    expect(copied.volumes).toHaveLength(1);
    expect(copied.containers[0].volumeMounts).toEqual([{ name: 'kube-api-access-abcde', readOnly: true, mountPath: TOKEN_MOUNT_PATH }]);
  });
});
