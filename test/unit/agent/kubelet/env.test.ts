import { describe, expect, it } from 'vitest';
import type { ConfigMap, Container, Pod, Secret } from 'kubernetes-types/core/v1';
import { resolveEnv, type EnvSources } from '../../../../src-main/agent/kubelet/env.ts';

const configMaps: Record<string, ConfigMap> = { 'shop/app': { data: { MODE: 'prod', 'log.level': 'info', '1BAD': 'x' } } };
const secrets: Record<string, Secret> = { 'shop/db': { data: { password: Buffer.from('s3cret').toString('base64') } } };
const sources: EnvSources = {
  configMap: async (ns, n) => configMaps[`${ns}/${n}`],
  secret: async (ns, n) => secrets[`${ns}/${n}`],
  allocatable: { cpu: '4', memory: '8Gi' },
};
const pod: Pod = {
  metadata: { name: 'web-1', namespace: 'shop', uid: 'u-1', labels: { app: 'web' } },
  spec: { nodeName: 'worker-2', serviceAccountName: 'default', containers: [] },
  status: { podIP: '10.42.2.7', hostIP: '192.168.1.12' },
};
const resolve = (c: Partial<Container>) => resolveEnv(pod, { name: 'main', ...c }, sources);

describe('container environment', () => {
  it('takes envFrom first, then env in order, later names winning, with $(VAR) expansion of plain values', async () => {
    const r = await resolve({
      envFrom: [{ configMapRef: { name: 'app' } }, { prefix: 'DB_', secretRef: { name: 'db' } }],
      env: [
        { name: 'MODE', value: 'dev' },
        { name: 'URL', value: 'http://$(POD_IP):8080/$(MODE)/$(UNSET)/$$(MODE)' },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'URL2', value: '$(POD_IP)' },
      ],
    });
    expect(r.env).toEqual([
      { name: 'MODE', value: 'dev' },
      { name: 'log.level', value: 'info' },
      { name: 'DB_password', value: 's3cret' },
      { name: 'URL', value: 'http://$(POD_IP):8080/dev/$(UNSET)/$(MODE)' },
      { name: 'POD_IP', value: '10.42.2.7' },
      { name: 'URL2', value: '10.42.2.7' },
    ]);
    expect(r.skipped).toEqual(['1BAD']);
  });

  it('reads the downward API and resources', async () => {
    const r = await resolve({
      resources: { limits: { memory: '256Mi' } },
      env: [
        { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'CPUS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      ],
    });
    expect(Object.fromEntries(r.env.map((e) => [e.name, e.value]))).toEqual({ NAME: 'web-1', NS: 'shop', NODE: 'worker-2', APP: 'web', MEM_MI: '256', CPUS: '4' });
  });

  it('fails on a missing object or key unless optional', async () => {
    await expect(resolve({ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'app', key: 'nope' } } }] })).rejects.toThrow("couldn't find key nope in ConfigMap shop/app");
    await expect(resolve({ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'gone', key: 'k' } } }] })).rejects.toThrow('secret "gone" not found');
    await expect(resolve({ envFrom: [{ configMapRef: { name: 'gone' } }] })).rejects.toThrow('configmap "gone" not found');
    const ok = await resolve({ envFrom: [{ configMapRef: { name: 'gone', optional: true } }], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'app', key: 'nope', optional: true } } }, { name: 'Y', valueFrom: { configMapKeyRef: { name: 'app', key: 'MODE' } } }] });
    expect(ok.env).toEqual([{ name: 'Y', value: 'prod' }]);
  });
});
