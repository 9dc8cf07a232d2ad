// The protobuf decoder gives the object the JSON path would get: bodies encoded independently
// with protobufjs (encoder.ts), set up the way Go's marshaller writes them (zero values included).
import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs';
import { decodeKubernetesProtobuf, kubernetesProtobufType } from '../../../../src-main/api/protobuf/index.ts';
import { MessageDecoder } from '../../../../src-main/api/protobuf/message.ts';
import { goDuration } from '../../../../src-main/api/protobuf/special.ts';
import { typeTable, type TypeTable } from '../../../../src-main/api/protobuf/table.ts';
import { encodeBody, encodeMessage } from './encoder.ts';

const core = 'k8s.io.api.core.v1';
const meta = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const q = (s: string) => ({ string: s });
/** ObjectMeta as Go writes it: every non-pointer field, the zero time as an empty message. */
const goMeta = (m: Record<string, unknown>) => ({ name: '', generateName: '', namespace: '', uid: '', resourceVersion: '', generation: 0, creationTimestamp: {}, ...m });

describe('decodeKubernetesProtobuf', () => {
  it('names its media type', () => {
    expect(kubernetesProtobufType).toBe('application/vnd.kubernetes.protobuf');
  });

  it('Namespace: zero fields and the zero time drop out, empty objects stay', () => {
    const body = encodeBody('v1', 'Namespace', `${core}.Namespace`, { metadata: goMeta({ name: 't1' }), spec: {}, status: { phase: '' } });
    expect(decodeKubernetesProtobuf(body)).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 't1' }, spec: {}, status: {} },
    });
  });

  it('Pod: containers, ports, env (inline LocalObjectReference), quantities, probes, pointers at zero', () => {
    const container = {
      name: 'app', image: 'nginx:1.25', command: ['sh', '-c'], args: ['echo hi'],
      ports: [{ name: '', hostPort: 0, containerPort: 8080, protocol: 'TCP', hostIP: '' }],
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: '' },
        { name: 'C', value: '', valueFrom: { configMapKeyRef: { localObjectReference: { name: 'cm' }, key: 'k', optional: false } } },
        { name: 'D', value: '', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      ],
      resources: { limits: { cpu: q('500m'), memory: q('128Mi') }, requests: { cpu: q('250m') } },
      livenessProbe: { handler: { httpGet: { path: '/healthz', port: { type: 1, intVal: 0, strVal: 'http' }, scheme: 'HTTP' } }, initialDelaySeconds: 0, periodSeconds: 10 },
      imagePullPolicy: 'IfNotPresent', securityContext: { runAsUser: 0, runAsNonRoot: false }, stdin: false, tty: false,
    };
    const spec = { containers: [container], restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', nodeSelector: { disk: 'ssd' }, hostNetwork: false, automountServiceAccountToken: false, priority: 0 };
    const metadata = goMeta({ name: 'p1', namespace: 'default', labels: { app: 'web', tier: '' }, creationTimestamp: { seconds: 1704067200, nanos: 0 } });
    const body = encodeBody('v1', 'Pod', `${core}.Pod`, { metadata, spec, status: { phase: '' } });
    expect(decodeKubernetesProtobuf(body).object).toEqual({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'p1', namespace: 'default', labels: { app: 'web', tier: '' }, creationTimestamp: '2024-01-01T00:00:00Z' },
      spec: {
        containers: [{
          name: 'app', image: 'nginx:1.25', command: ['sh', '-c'], args: ['echo hi'],
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          env: [
            { name: 'A', value: '1' },
            { name: 'B' },
            { name: 'C', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k', optional: false } } },
            { name: 'D', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
          ],
          resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m' } },
          livenessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, periodSeconds: 10 },
          imagePullPolicy: 'IfNotPresent',
          securityContext: { runAsUser: 0, runAsNonRoot: false },
        }],
        restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', nodeSelector: { disk: 'ssd' },
        automountServiceAccountToken: false, priority: 0,
      },
      status: {},
    });
  });

  it('Secret: bytes values become base64, as in JSON', () => {
    const body = encodeBody('v1', 'Secret', `${core}.Secret`, {
      metadata: goMeta({ name: 's1' }),
      data: { k1: Buffer.from('v1'), bin: Buffer.from([0, 1, 255]), empty: Buffer.alloc(0) },
      type: 'Opaque', immutable: true,
    });
    expect(decodeKubernetesProtobuf(body).object).toEqual({
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1' },
      data: { k1: 'djE=', bin: 'AAH/', empty: '' }, type: 'Opaque', immutable: true,
    });
  });

  it('Deployment: replicas 0 stays, label selector with expressions, omitempty zeros go', () => {
    const body = encodeBody('apps/v1', 'Deployment', 'k8s.io.api.apps.v1.Deployment', {
      metadata: goMeta({ name: 'd1', labels: { app: 'd1' } }),
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'd1' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] },
        template: { metadata: goMeta({ labels: { app: 'd1' } }), spec: { containers: [{ name: 'nginx', image: 'nginx', stdin: false, tty: false }] } },
        strategy: { type: '' }, minReadySeconds: 0, revisionHistoryLimit: 0, paused: false,
      },
      status: { observedGeneration: 0, replicas: 0 },
    });
    expect(decodeKubernetesProtobuf(body).object).toEqual({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd1', labels: { app: 'd1' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'd1' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] },
        template: { metadata: { labels: { app: 'd1' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } },
        strategy: {}, revisionHistoryLimit: 0,
      },
      status: {},
    });
  });

  it('DeleteOptions: from meta/v1 whatever group version the client tagged it with', () => {
    for (const apiVersion of ['v1', 'apps/v1', 'meta.k8s.io/v1', 'batch/v1']) {
      const body = encodeBody(apiVersion, 'DeleteOptions', `${meta}.DeleteOptions`, { gracePeriodSeconds: 0, propagationPolicy: 'Foreground', preconditions: { uid: 'abc' }, dryRun: ['All'] });
      expect(decodeKubernetesProtobuf(body)).toEqual({
        apiVersion, kind: 'DeleteOptions',
        object: { apiVersion, kind: 'DeleteOptions', gracePeriodSeconds: 0, propagationPolicy: 'Foreground', preconditions: { uid: 'abc' }, dryRun: ['All'] },
      });
    }
  });

  it('Eviction with nested DeleteOptions', () => {
    const body = encodeBody('policy/v1', 'Eviction', 'k8s.io.api.policy.v1.Eviction', { metadata: goMeta({ name: 'p1', namespace: 'ns' }), deleteOptions: { gracePeriodSeconds: 30 } });
    expect(decodeKubernetesProtobuf(body).object).toEqual({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p1', namespace: 'ns' }, deleteOptions: { gracePeriodSeconds: 30 } });
  });

  it('Event: Time and MicroTime, non-omitempty empty strings kept', () => {
    const body = encodeBody('v1', 'Event', `${core}.Event`, {
      metadata: goMeta({ name: 'e1', namespace: 'default' }),
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'p1' }, reason: 'Started', source: { component: 'kubelet', host: '' },
      firstTimestamp: { seconds: 1700000000, nanos: 0 }, count: 0, eventTime: { seconds: 1700000000, nanos: 123456789 }, reportingComponent: '',
    });
    expect(decodeKubernetesProtobuf(body).object).toEqual({
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1', namespace: 'default' },
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'p1' }, reason: 'Started', source: { component: 'kubelet' },
      firstTimestamp: '2023-11-14T22:13:20Z', eventTime: '2023-11-14T22:13:20.123456Z', reportingComponent: '',
    });
  });

  it('int64: negative (two\'s complement), large, and the explicit zero time', () => {
    const body = encodeBody('v1', 'Namespace', `${core}.Namespace`, {
      metadata: goMeta({ name: 'n', generation: 2 ** 40, deletionGracePeriodSeconds: -1, creationTimestamp: { seconds: -62135596800, nanos: 0 }, deletionTimestamp: { seconds: -1, nanos: 0 } }),
    });
    expect(decodeKubernetesProtobuf(body).object.metadata).toEqual({ name: 'n', generation: 2 ** 40, deletionGracePeriodSeconds: -1, deletionTimestamp: '1969-12-31T23:59:59Z' });
  });

  it('managedFields: FieldsV1 carries raw JSON', () => {
    const fields = { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } };
    const body = encodeBody('v1', 'Namespace', `${core}.Namespace`, {
      metadata: goMeta({ name: 'n', managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: { seconds: 1704067200 }, fieldsType: 'FieldsV1', fieldsV1: { Raw: Buffer.from(JSON.stringify(fields)) } }] }),
    });
    expect(decodeKubernetesProtobuf(body).object.metadata).toEqual({
      name: 'n', managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: '2024-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: fields }],
    });
  });

  it('repeated int32: unpacked (Go) and packed both, negatives included', () => {
    const decoder = new MessageDecoder(typeTable());
    const value = { containerName: 'c', operator: 'In', values: [1, -2, 300] };
    for (const as of ['PodFailurePolicyOnExitCodesRequirement', 'PackedExitCodes']) {
      const buf = encodeMessage(`k8s.io.api.batch.v1.${as}`, value);
      expect(decoder.message('k8s.io.api.batch.v1.PodFailurePolicyOnExitCodesRequirement', buf, 0)).toEqual(value);
    }
  });

  it('skips unknown fields of every wire type, groups included', () => {
    const raw = Buffer.concat([
      encodeMessage(`${core}.Namespace`, { metadata: { name: 'n' } }),
      Buffer.from([0x98, 0x06, 0xff, 0xff, 0x03]), // field 99 varint
      Buffer.from([0xa1, 0x06, 1, 2, 3, 4, 5, 6, 7, 8]), // field 100 fixed64
      Buffer.from([0xaa, 0x06, 2, 0x41, 0x42]), // field 101 bytes
      Buffer.from([0xb5, 0x06, 1, 2, 3, 4]), // field 102 fixed32
      Buffer.from([0xbb, 0x06, 0x08, 0x01, 0xbc, 0x06]), // field 103 group holding a varint
    ]);
    const unknown = encodeMessage('k8s.io.apimachinery.pkg.runtime.Unknown', { typeMeta: { apiVersion: 'v1', kind: 'Namespace' }, raw });
    const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), unknown, Buffer.from([0xc8, 0x3e, 0x01])]); // and one in the envelope
    expect(decodeKubernetesProtobuf(body).object).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } });
  });

  it('scalar types Kubernetes rarely uses: double, float, sint64, fixed32, sfixed64, uint64', () => {
    const types: TypeTable = {
      'k8s.io.api.test.v1.Thing': { 1: ['metadata', 'string', ''], 2: ['d', 'double', ''], 3: ['f', 'float', ''], 4: ['s', 'sint64', ''], 5: ['x', 'fixed32', ''], 6: ['y', 'sfixed64', ''], 7: ['u', 'uint64', ''], 8: ['ds', 'double', 'repeated'] },
    };
    const root = protobuf.parse('syntax = "proto2"; package k8s.io.api.test.v1; message Thing { optional double d = 2; optional float f = 3; optional sint64 s = 4; optional fixed32 x = 5; optional sfixed64 y = 6; optional uint64 u = 7; repeated double ds = 8 [packed = true]; }', { keepCase: true }).root;
    const Thing = root.lookupType('k8s.io.api.test.v1.Thing');
    const raw = Thing.encode(Thing.fromObject({ d: 1.5, f: 0.25, s: -123456789, x: 4000000000, y: -42, u: 2 ** 52, ds: [0.5, -2] })).finish();
    const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), encodeMessage('k8s.io.apimachinery.pkg.runtime.Unknown', { typeMeta: { apiVersion: 'test/v1', kind: 'Thing' }, raw })]);
    expect(decodeKubernetesProtobuf(body, types).object).toEqual({ apiVersion: 'test/v1', kind: 'Thing', d: 1.5, f: 0.25, s: -123456789, x: 4000000000, y: -42, u: 2 ** 52, ds: [0.5, -2] });
  });

  it('meta/v1 Duration reads as Go prints it', () => {
    expect([0, 1500, 2_500_000, 1_500_000_000, 90e9, 3.6e12 + 1e9, -5e9].map(goDuration)).toEqual(['0s', '1.5µs', '2.5ms', '1.5s', '1m30s', '1h0m1s', '-5s']);
  });

  it('accepts the envelope\'s content type when it names protobuf', () => {
    const body = encodeBody('v1', 'ConfigMap', `${core}.Secret`, { metadata: { name: 'c' } }, { contentType: kubernetesProtobufType });
    expect(decodeKubernetesProtobuf(body).object).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
  });
});
