import { describe, expect, it } from 'vitest';
import { pod } from '../../../../src-main/api/resources/pod.ts';
import type { KubeObject } from '../../../../src-main/api/resources/types.ts';
import { create, examplesOfKind, fields, messages, update } from './workload-helpers.ts';

const basic = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web' },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] },
});

describe('Pod examples from the Kubernetes docs', () => {
  const examples = examplesOfKind('Pod');
  it('finds the pod examples', () => expect(examples.length).toBeGreaterThanOrEqual(10));
  for (const { file, obj } of examples) {
    it(`${file} (${obj.metadata.name}) is valid and defaulted`, async () => {
      const { obj: stored, errors } = await create(pod, obj);
      expect(messages(errors)).toEqual([]);
      const spec = stored.spec as Record<string, unknown>;
      expect(spec).toMatchObject({
        restartPolicy: expect.any(String),
        dnsPolicy: 'ClusterFirst',
        schedulerName: 'default-scheduler',
        terminationGracePeriodSeconds: 30,
        enableServiceLinks: true,
        serviceAccountName: 'default',
        serviceAccount: 'default',
        priority: 0,
        preemptionPolicy: 'PreemptLowerPriority',
      });
      expect(stored.status).toMatchObject({ phase: 'Pending', qosClass: expect.stringMatching(/^(Guaranteed|Burstable|BestEffort)$/) });
      for (const c of spec.containers as Record<string, unknown>[]) {
        expect(c).toMatchObject({ terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: expect.any(Object) });
        expect(['Always', 'IfNotPresent']).toContain(c.imagePullPolicy);
      }
    });
  }
});

describe('Pod defaults', () => {
  it('fills container, probe, port, volume and env defaults as a real cluster shows them', async () => {
    const { obj } = await create(pod, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        containers: [
          {
            name: 'a',
            image: 'busybox',
            ports: [{ containerPort: 8080 }],
            livenessProbe: { httpGet: { port: 8080 } },
            env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            resources: { limits: { cpu: '500m', memory: '128Mi' } },
          },
          { name: 'b', image: 'registry.local:5000/app:v2' },
          { name: 'c', image: 'nginx:latest' },
        ],
        volumes: [{ name: 'cfg', configMap: { name: 'x' } }, { name: 's', secret: { secretName: 'y' } }, { name: 'scratch' }],
      },
    });
    const spec = obj.spec as any;
    expect(spec.securityContext).toEqual({});
    expect(spec.containers.map((c: any) => c.imagePullPolicy)).toEqual(['Always', 'IfNotPresent', 'Always']);
    expect(spec.containers[0].ports[0]).toEqual({ containerPort: 8080, protocol: 'TCP' });
    expect(spec.containers[0].livenessProbe).toEqual({
      httpGet: { port: 8080, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(spec.containers[0].env[0].valueFrom.fieldRef).toEqual({ apiVersion: 'v1', fieldPath: 'spec.nodeName' });
    // A pod's requests default to its limits (not a template's).
    expect(spec.containers[0].resources.requests).toEqual({ cpu: '500m', memory: '128Mi' });
    expect(spec.containers[0].resizePolicy).toEqual([
      { resourceName: 'cpu', restartPolicy: 'NotRequired' },
      { resourceName: 'memory', restartPolicy: 'NotRequired' },
    ]);
    expect(spec.containers[1].resources).toEqual({});
    expect(spec.containers[1].resizePolicy).toBeUndefined();
    expect(spec.volumes).toEqual([
      { name: 'cfg', configMap: { name: 'x', defaultMode: 420 } },
      { name: 's', secret: { secretName: 'y', defaultMode: 420 } },
      { name: 'scratch', emptyDir: {} },
    ]);
    expect(spec.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
    expect(obj.status).toEqual({ phase: 'Pending', qosClass: 'Burstable' });
  });

  it('stores quantities in canonical form, as kube-apiserver re-serializes them', async () => {
    const p = basic();
    (p.spec as any).containers[0].resources = { requests: { cpu: '0.5', memory: 1000000 }, limits: { cpu: 2, memory: '1024Mi' } };
    const { obj, errors } = await create(pod, p);
    expect(errors).toEqual([]);
    expect((obj.spec as any).containers[0].resources).toEqual({ requests: { cpu: '500m', memory: '1M' }, limits: { cpu: '2', memory: '1Gi' } });
  });

  it('computes the QoS class', async () => {
    const withResources = (resources: object) => {
      const p = basic();
      (p.spec as any).containers[0].resources = resources;
      return p;
    };
    expect((await create(pod, basic())).obj.status).toMatchObject({ qosClass: 'BestEffort' });
    expect((await create(pod, withResources({ limits: { cpu: '1', memory: '1Gi' } }))).obj.status).toMatchObject({ qosClass: 'Guaranteed' });
    expect((await create(pod, withResources({ requests: { cpu: '1000m', memory: '1024Mi' }, limits: { cpu: '1', memory: '1Gi' } }))).obj.status).toMatchObject({
      qosClass: 'Guaranteed',
    });
    expect((await create(pod, withResources({ requests: { cpu: '100m' }, limits: { cpu: '1', memory: '1Gi' } }))).obj.status).toMatchObject({
      qosClass: 'Burstable',
    });
  });
});

describe('Pod validation', () => {
  const invalid = async (mutate: (spec: any, pod: KubeObject) => void) => {
    const p = basic();
    mutate(p.spec, p);
    return (await create(pod, p)).errors;
  };

  it('requires containers and images', async () => {
    expect(messages(await invalid((s) => (s.containers = [])))).toEqual(['spec.containers: Required value']);
    expect(messages(await invalid((s) => delete s.containers[0].image))).toEqual(['spec.containers[0].image: Required value']);
  });

  it('checks container names: DNS label, unique across init containers', async () => {
    expect(fields(await invalid((s) => (s.containers[0].name = 'Web_1')))).toEqual(['spec.containers[0].name']);
    const errs = await invalid((s) => (s.initContainers = [{ name: 'nginx', image: 'busybox' }]));
    expect(messages(errs)).toEqual(['spec.initContainers[0].name: Duplicate value: "nginx"']);
  });

  it('checks ports, protocols and port names', async () => {
    expect(messages(await invalid((s) => (s.containers[0].ports = [{ containerPort: 70000 }])))).toEqual([
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    ]);
    expect(messages(await invalid((s) => (s.containers[0].ports = [{ containerPort: 80, protocol: 'HTTP' }])))).toEqual([
      'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
    ]);
    expect(fields(await invalid((s) => (s.containers[0].ports = [{ containerPort: 80, name: 'http' }, { containerPort: 81, name: 'http' }])))).toEqual([
      'spec.containers[0].ports[1].name',
    ]);
  });

  it('checks restartPolicy and dnsPolicy values', async () => {
    expect(messages(await invalid((s) => (s.restartPolicy = 'Sometimes')))).toEqual([
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
    expect(fields(await invalid((s) => (s.dnsPolicy = 'Google')))).toEqual(['spec.dnsPolicy']);
  });

  it('checks resource quantities and requests <= limits', async () => {
    // A pod's requests default to its limits, so the bad limit is reported twice.
    expect(fields(await invalid((s) => (s.containers[0].resources = { limits: { cpu: 'lots' } })))).toEqual([
      'spec.containers[0].resources.limits[cpu]',
      'spec.containers[0].resources.requests[cpu]',
    ]);
    expect(messages(await invalid((s) => (s.containers[0].resources = { requests: { cpu: '2' }, limits: { cpu: '1' } })))).toEqual([
      'spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1',
    ]);
  });

  it('checks env names and volume mounts', async () => {
    expect(fields(await invalid((s) => (s.containers[0].env = [{ name: '1BAD', value: 'x' }])))).toEqual(['spec.containers[0].env[0].name']);
    expect(messages(await invalid((s) => (s.containers[0].volumeMounts = [{ name: 'data', mountPath: '/data' }])))).toEqual([
      'spec.containers[0].volumeMounts[0].name: Not found: "data"',
    ]);
  });

  it('checks volumes: unique names, one source', async () => {
    const errs = await invalid((s) => (s.volumes = [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }, { name: 'v', emptyDir: {} }]));
    expect(messages(errs)).toEqual(['spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type', 'spec.volumes[1].name: Duplicate value: "v"']);
  });

  it('checks probes have exactly one handler', async () => {
    expect(messages(await invalid((s) => (s.containers[0].readinessProbe = { periodSeconds: 5 })))).toEqual([
      'spec.containers[0].readinessProbe: Required value: must specify a handler type',
    ]);
  });

  it('checks affinity terms and host ports', async () => {
    const errs = await invalid(
      (s) =>
        (s.affinity = {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In' }] }] },
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } }],
          },
          podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } } }] },
        }),
    );
    expect(messages(errs)).toEqual([
      "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      'spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100',
      'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty',
    ]);
    const ports = await invalid((s) => s.containers.push({ name: 'b', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }) && (s.containers[0].ports[0].hostPort = 8080));
    expect(messages(ports)).toEqual(['spec.containers[1].ports[0].hostPort: Duplicate value: "8080/TCP"']);
  });

  it('checks the name', async () => {
    expect(fields(await invalid((_s, p) => (p.metadata.name = 'Bad_Name')))).toEqual(['metadata.name']);
  });

  it('checks seccomp profiles: a known type, a relative Localhost file only for Localhost', async () => {
    const podProfile = (seccompProfile: unknown) => invalid((s) => (s.securityContext = { seccompProfile }));
    const ctrProfile = (seccompProfile: unknown) => invalid((s) => (s.containers[0].securityContext = { seccompProfile }));
    expect(messages(await podProfile({ type: 'RuntimeDefault' }))).toEqual([]);
    expect(messages(await ctrProfile({ type: 'Localhost', localhostProfile: 'profiles/audit.json' }))).toEqual([]);
    expect(messages(await podProfile({ type: 'Strict' }))).toEqual([
      'spec.securityContext.seccompProfile.type: Unsupported value: "Strict": supported values: "RuntimeDefault", "Unconfined", "Localhost"',
    ]);
    expect(messages(await ctrProfile({}))).toEqual(['spec.containers[0].securityContext.seccompProfile.type: Required value: type is required when seccompProfile is set']);
    expect(messages(await ctrProfile({ type: 'Localhost' }))).toEqual([
      'spec.containers[0].securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost',
    ]);
    expect(messages(await ctrProfile({ type: 'Localhost', localhostProfile: '../../etc/shadow' }))).toEqual([
      `spec.containers[0].securityContext.seccompProfile.localhostProfile: Invalid value: "../../etc/shadow": must not contain '..'`,
    ]);
    expect(messages(await ctrProfile({ type: 'Localhost', localhostProfile: '/etc/p.json' }))).toEqual([
      'spec.containers[0].securityContext.seccompProfile.localhostProfile: Invalid value: "/etc/p.json": must be a relative path',
    ]);
    expect(fields(await podProfile({ type: 'RuntimeDefault', localhostProfile: 'a.json' }))).toEqual(['spec.securityContext.seccompProfile.localhostProfile']);
  });

  it('refuses allowPrivilegeEscalation false with privileged or CAP_SYS_ADMIN', async () => {
    const sc = (securityContext: unknown) => invalid((s) => (s.containers[0].securityContext = securityContext));
    expect(messages(await sc({ allowPrivilegeEscalation: false, privileged: true }))[0]).toMatch(
      /^spec\.containers\[0\]\.securityContext: Invalid value: .*: cannot set `allowPrivilegeEscalation` to false and `privileged` to true$/,
    );
    expect(messages(await sc({ allowPrivilegeEscalation: false, capabilities: { add: ['CAP_SYS_ADMIN'] } }))[0]).toMatch(
      /cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN$/,
    );
    expect(messages(await sc({ allowPrivilegeEscalation: true, privileged: true }))).toEqual([]);
    expect(messages(await sc({ allowPrivilegeEscalation: false }))).toEqual([]);
  });
});

describe('Pod updates', () => {
  it('allows changing images and refuses other spec changes', async () => {
    const { obj: old } = await create(pod, basic());
    const newImage = structuredClone(old);
    (newImage.spec as any).containers[0].image = 'nginx:1.26';
    expect((await update(pod, newImage, old)).errors).toEqual([]);

    const newPort = structuredClone(old);
    (newPort.spec as any).containers[0].ports[0].containerPort = 8080;
    const errs = (await update(pod, newPort, old)).errors;
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ type: 'FieldValueForbidden', field: 'spec' });
    expect(errs[0].detail).toContain('pod updates may not change fields other than `spec.containers[*].image`');
  });

  it('allows adding tolerations but not removing them', async () => {
    const { obj: old } = await create(pod, basic());
    const added = structuredClone(old);
    (added.spec as any).tolerations.push({ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' });
    expect((await update(pod, added, old)).errors).toEqual([]);
    const removed = structuredClone(old);
    (removed.spec as any).tolerations = [];
    expect(fields((await update(pod, removed, old)).errors)).toEqual(['spec.tolerations']);
  });
});

describe('Pod table', () => {
  const now = new Date('2024-01-01T01:00:00Z');
  it('has upstream columns, wide ones at priority 1', () => {
    expect(pod.table!.columns.map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0],
      ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1],
    ]);
  });

  it('shows a running pod with restarts as kubectl does', () => {
    const running: KubeObject = {
      metadata: { name: 'web-7d9c', creationTimestamp: '2024-01-01T00:00:00Z' },
      spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }], nodeName: 'node-1' },
      status: {
        phase: 'Running',
        podIP: '10.244.1.5',
        podIPs: [{ ip: '10.244.1.5' }],
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [
          { name: 'a', ready: true, restartCount: 3, state: { running: { startedAt: '2024-01-01T00:55:00Z' } }, lastState: { terminated: { exitCode: 1, finishedAt: '2024-01-01T00:55:00Z' } } },
          { name: 'b', ready: true, restartCount: 0, state: { running: {} } },
        ],
      },
    };
    expect(pod.table!.cells(running, now)).toEqual(['web-7d9c', '2/2', 'Running', '3 (5m ago)', '60m', '10.244.1.5', 'node-1', '<none>', '<none>']);
  });

  it('counts a started sidecar as a container and shows Completed pods', () => {
    const sidecar: KubeObject = {
      metadata: { name: 's', creationTimestamp: '2024-01-01T00:00:00Z' },
      spec: { initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }], containers: [{ name: 'app', image: 'x' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
        initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 137, finishedAt: '2024-01-01T00:30:00Z' } } }],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }],
      },
    };
    expect(pod.table!.cells(sidecar, now).slice(1, 4)).toEqual(['2/2', 'Running', '1 (30m ago)']);

    const done: KubeObject = {
      metadata: { name: 'd', creationTimestamp: '2024-01-01T00:00:00Z' },
      spec: { containers: [{ name: 'a', image: 'x' }] },
      status: { phase: 'Succeeded', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
    };
    expect(pod.table!.cells(done, now).slice(1, 4)).toEqual(['0/1', 'Completed', '0']);
    const failed = structuredClone(done);
    failed.status = { phase: 'Failed', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 2 } } }] };
    expect(pod.table!.cells(failed, now)[2]).toBe('ExitCode:2');
  });

  it('shows a pending pod, a crash loop and a terminating pod', () => {
    const pending: KubeObject = { metadata: { name: 'p', creationTimestamp: '2024-01-01T00:59:30Z' }, spec: { containers: [{ name: 'a', image: 'x' }] }, status: { phase: 'Pending' } };
    expect(pod.table!.cells(pending, now)).toEqual(['p', '0/1', 'Pending', '0', '30s', '<none>', '<none>', '<none>', '<none>']);

    const crash = structuredClone(pending);
    crash.status = { phase: 'Running', containerStatuses: [{ name: 'a', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] };
    expect(pod.table!.cells(crash, now).slice(1, 4)).toEqual(['0/1', 'CrashLoopBackOff', '4']);

    const initWaiting = structuredClone(pending);
    (initWaiting.spec as any).initContainers = [{ name: 'init', image: 'x' }];
    initWaiting.status = { phase: 'Pending', initContainerStatuses: [{ name: 'init', ready: false, restartCount: 0, state: { running: {} } }] };
    expect(pod.table!.cells(initWaiting, now)[2]).toBe('Init:0/1');

    const initCrash = structuredClone(initWaiting);
    initCrash.status = { phase: 'Pending', initContainerStatuses: [{ name: 'init', ready: false, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }] };
    expect(pod.table!.cells(initCrash, now).slice(1, 4)).toEqual(['0/1', 'Init:CrashLoopBackOff', '2']);

    const deleting = structuredClone(pending);
    deleting.metadata.deletionTimestamp = '2024-01-01T00:59:59Z';
    expect(pod.table!.cells(deleting, now)[2]).toBe('Terminating');
  });
});
