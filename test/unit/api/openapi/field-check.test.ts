import { describe, expect, it } from 'vitest';
import { checkFields, pruneUnknownFields, strictDecodingMessage, unknownFieldWarnings } from '../../../../src-main/api/openapi/field-check.ts';

function deployment(): Record<string, any> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' }, annotations: { 'a/b': 'c' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'a', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'X', value: '1' }],
              resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: 0.25 } },
              livenessProbe: { httpGet: { path: '/', port: 'http' } } },
            { name: 'b', image: 'busybox', command: ['sleep', '3600'] },
          ],
        },
      },
    },
  };
}

describe('checkFields', () => {
  it('accepts a valid object, with int-or-string and Quantity given either way', () => {
    expect(checkFields('apps', 'v1', 'Deployment', deployment())).toEqual({ unknown: [], typeErrors: [] });
    const d = deployment();
    d.spec.strategy.rollingUpdate = { maxSurge: 1, maxUnavailable: '10%' };
    d.spec.template.spec.containers[0].livenessProbe.httpGet.port = 8080;
    d.spec.template.spec.containers[0].resources.limits = { cpu: 1, memory: '1Gi' };
    expect(checkFields('apps', 'v1', 'Deployment', d)).toEqual({ unknown: [], typeErrors: [] });
  });

  it('finds unknown fields at any depth, written as upstream writes them', () => {
    const d = deployment();
    d.spec.foo = 1;
    d.metadata.nmae = 'typo';
    d.spec.template.spec.containers[1].imagePullPolicyy = 'Always';
    d.spec.template.spec.containers[0].ports[0].hostPortt = 1;
    d.spec.template.spec.containers[0].livenessProbe.httpGet.extra = true;
    d.spec.template.metadata.bogus = {};
    d.status = { replicas: 1, notAField: 2 };
    d.top = 'x';
    expect(checkFields('apps', 'v1', 'Deployment', d).unknown).toEqual([
      'metadata.nmae',
      'spec.template.metadata.bogus',
      'spec.template.spec.containers[0].ports[0].hostPortt',
      'spec.template.spec.containers[0].livenessProbe.httpGet.extra',
      'spec.template.spec.containers[1].imagePullPolicyy',
      'spec.foo',
      'status.notAField',
      'top',
    ]);
  });

  it('treats map keys as data, not fields, but checks struct values inside maps and lists', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { anything: 'goes' } }, data: { whatever: 'x', 'key.with.dots': 'y' } };
    expect(checkFields('', 'v1', 'ConfigMap', cm)).toEqual({ unknown: [], typeErrors: [] });
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' }, rules: [{ verbs: ['get'], resources: ['pods'], apiGroups: [''] }, { verbs: ['list'], resourcez: ['x'] }] };
    expect(checkFields('rbac.authorization.k8s.io', 'v1', 'Role', role).unknown).toEqual(['rules[1].resourcez']);
  });

  it('reports JSON type mismatches with encoding/json wording', () => {
    const d = deployment();
    d.spec.replicas = '3';
    d.spec.paused = 'yes';
    d.spec.template.spec.containers[0].ports[0].containerPort = 80.5;
    d.spec.template.spec.containers[1].command = 'sleep 3600';
    d.spec.strategy.rollingUpdate.maxSurge = true;
    d.metadata.labels = ['a'];
    expect(checkFields('apps', 'v1', 'Deployment', d).typeErrors).toEqual([
      'json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string',
      'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
      'json: cannot unmarshal bool into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32',
      'json: cannot unmarshal number 80.5 into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32',
      'json: cannot unmarshal string into Go struct field Container.spec.template.spec.containers.command of type []string',
      // paused is a new key, so it comes after the existing ones: errors follow the document order.
      'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool',
    ]);
  });

  it('checks integer ranges, objects where scalars go, Quantity syntax and base64 bytes', () => {
    const d = deployment();
    d.spec.replicas = 2 ** 31;
    d.spec.template = 'nope';
    expect(checkFields('apps', 'v1', 'Deployment', d).typeErrors).toEqual([
      'json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32',
      'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.template of type v1.PodTemplateSpec',
    ]);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', resources: { limits: { cpu: '1 core' } } }] } };
    expect(checkFields('', 'v1', 'Pod', pod).typeErrors).toEqual([expect.stringMatching(/^quantities must match the regular expression/)]);
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { ok: 'aGVsbG8=', bad: 'not base64!' }, stringData: { plain: 'text!' } };
    expect(checkFields('', 'v1', 'Secret', secret).typeErrors).toEqual(['illegal base64 data at input byte 3']);
  });

  it('accepts null anywhere, and apiVersion/kind at the top of any kind', () => {
    const d = deployment();
    d.spec.replicas = null;
    d.metadata.labels = null;
    d.spec.template.spec.containers[0].ports = null;
    expect(checkFields('apps', 'v1', 'Deployment', d)).toEqual({ unknown: [], typeErrors: [] });
    expect(checkFields('', 'v1', 'Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } })).toEqual({ unknown: [], typeErrors: [] });
  });

  it('follows the schema of the requested version', () => {
    const hpa = (spec: object) => ({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec });
    const v1spec = { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3, targetCPUUtilizationPercentage: 50 };
    expect(checkFields('autoscaling', 'v1', 'HorizontalPodAutoscaler', hpa(v1spec)).unknown).toEqual([]);
    expect(checkFields('autoscaling', 'v2', 'HorizontalPodAutoscaler', hpa(v1spec)).unknown).toEqual(['spec.targetCPUUtilizationPercentage']);
  });

  it('answers a body that is not an object with a decoding error, as Go does', () => {
    expect(checkFields('apps', 'v1', 'Deployment', ['x']).typeErrors).toEqual(['json: cannot unmarshal array into Go value of type v1.Deployment']);
    expect(checkFields('', 'v1', 'Pod', 'x').typeErrors).toEqual(['json: cannot unmarshal string into Go value of type v1.Pod']);
  });

  it('treats keys such as __proto__ as plain unknown fields', () => {
    const obj = JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","__proto__":{"x":1}},"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(checkFields('', 'v1', 'ConfigMap', obj).unknown).toEqual(['metadata.__proto__', '__proto__']);
    pruneUnknownFields('', 'v1', 'ConfigMap', obj);
    expect(Object.keys(obj)).toEqual(['apiVersion', 'kind', 'metadata']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('checks nothing for kinds without an upstream schema', () => {
    expect(checkFields('example.com', 'v1', 'Widget', { spec: { anything: 1 } })).toEqual({ unknown: [], typeErrors: [] });
  });
});

describe('pruneUnknownFields', () => {
  it('removes exactly the unknown fields and leaves everything else as it was', () => {
    const d = deployment();
    const expected = deployment();
    d.spec.foo = 1;
    d.metadata.nmae = 'typo';
    d.spec.template.spec.containers[1].imagePullPolicyy = 'Always';
    d.spec.template.spec.containers[0].ports[0].hostPortt = 1;
    d.extra = { nested: { deep: true } };
    pruneUnknownFields('apps', 'v1', 'Deployment', d);
    expect(d).toEqual(expected);
    expect(checkFields('apps', 'v1', 'Deployment', d).unknown).toEqual([]);
  });

  it('keeps map entries and values of the wrong type (those are type errors, not unknown fields)', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' }, binaryData: { x: 'aGk=' }, immutable: 'true', junk: 1 };
    pruneUnknownFields('', 'v1', 'ConfigMap', cm);
    expect(cm).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' }, binaryData: { x: 'aGk=' }, immutable: 'true' });
  });
});

describe('messages', () => {
  it('words strict errors and warnings as kube-apiserver does', () => {
    expect(strictDecodingMessage(['spec.foo', 'spec.template.spec.containers[0].imagePullPolicyy']))
      .toBe('strict decoding error: unknown field "spec.foo", unknown field "spec.template.spec.containers[0].imagePullPolicyy"');
    expect(unknownFieldWarnings(['spec.foo'])).toEqual(['unknown field "spec.foo"']);
  });
});
