import { describe, expect, it } from 'vitest';
import { schemaFor } from '../../../../src-main/api/openapi/spec.ts';
import { applyStrategicMergePatch } from '../../../../src-main/api/patch/strategic-merge-patch.ts';
import { PatchError } from '../../../../src-main/api/patch/patch-error.ts';

const deploymentSchema = schemaFor('apps', 'v1', 'Deployment');
const podSchema = schemaFor('', 'v1', 'Pod');
const serviceSchema = schemaFor('', 'v1', 'Service');

/** A Deployment as the server stores it after `kubectl apply`, defaults filled in. */
function deployment(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      labels: { app: 'web', tier: 'front' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"old":true}', 'deployment.kubernetes.io/revision': '1' },
      finalizers: ['a.example.com/x', 'b.example.com/y'],
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'nginx:1.25',
              args: ['--a', '--b'],
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
                { name: 'C', value: '3' },
              ],
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }],
              terminationMessagePath: '/dev/termination-log',
              imagePullPolicy: 'IfNotPresent',
            },
            { name: 'sidecar', image: 'busybox', terminationMessagePath: '/dev/termination-log' },
          ],
          volumes: [{ name: 'cfg', configMap: { name: 'cfg', defaultMode: 420 } }],
          tolerations: [{ key: 'k', operator: 'Exists' }],
          restartPolicy: 'Always',
        },
      },
    },
    status: { replicas: 2, readyReplicas: 2 },
  };
}

const smp = (target: unknown, patch: unknown, schema = deploymentSchema): any => applyStrategicMergePatch(target, patch, schema);
const app = (d: any) => d.spec.template.spec.containers[0];
const names = (list: { name: string }[]) => list.map((x) => x.name);

/** Every key anywhere in a value, to check no directive survives. */
function allKeys(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => allKeys(x, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(k), allKeys(x, out);
  return out;
}

function failure(fn: () => unknown): PatchError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PatchError);
    return e as PatchError;
  }
  throw new Error('expected a PatchError');
}

describe('strategic merge patch: what kubectl apply sends', () => {
  it('a changed image and a removed env var: new image, no B, everything else kept', () => {
    const patch = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"new":true}' } },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }],
            containers: [{ '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }], env: [{ $patch: 'delete', name: 'B' }], image: 'nginx:1.27', name: 'app' }],
          },
        },
      },
    };
    const out = smp(deployment(), patch);
    expect(app(out).image).toBe('nginx:1.27');
    expect(app(out).env).toEqual([
      { name: 'A', value: '1' },
      { name: 'C', value: '3' },
    ]);
    expect(out.metadata.annotations).toEqual({
      'kubectl.kubernetes.io/last-applied-configuration': '{"new":true}',
      'deployment.kubernetes.io/revision': '1',
    });
    const expected = deployment();
    expected.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] = '{"new":true}';
    app(expected).image = 'nginx:1.27';
    app(expected).env.splice(1, 1);
    expect(out).toEqual(expected);
    expect(allKeys(out).filter((k) => k.startsWith('$'))).toEqual([]);
  });

  it('the same case with a single container, exactly as in the issue', () => {
    const d = deployment();
    d.spec.template.spec.containers.pop();
    d.spec.template.spec.containers[0].env.pop();
    const out = smp(d, {
      metadata: { annotations: {} },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'app' }],
            containers: [{ '$setElementOrder/env': [{ name: 'A' }], env: [{ $patch: 'delete', name: 'B' }], image: 'nginx:1.27', name: 'app' }],
          },
        },
      },
    });
    expect(out.spec.template.spec.containers).toHaveLength(1);
    expect(app(out)).toMatchObject({ name: 'app', image: 'nginx:1.27', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80, protocol: 'TCP' }] });
  });

  it('adding a container puts it where $setElementOrder says', () => {
    const out = smp(deployment(), {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'init' }, { name: 'app' }, { name: 'sidecar' }], containers: [{ name: 'init', image: 'alpine' }] } } },
    });
    expect(names(out.spec.template.spec.containers)).toEqual(['init', 'app', 'sidecar']);
    expect(out.spec.template.spec.containers[0]).toEqual({ name: 'init', image: 'alpine' });
  });

  it('removing a container deletes it by name and keeps the other untouched', () => {
    const out = smp(deployment(), {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'app' }], containers: [{ $patch: 'delete', name: 'sidecar' }] } } },
    });
    expect(out.spec.template.spec.containers).toEqual([deployment().spec.template.spec.containers[0]]);
  });

  it('changing an env value merges that item by name', () => {
    const out = smp(deployment(), {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }], containers: [{ '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }, { name: 'C' }], env: [{ name: 'B', value: 'two' }], name: 'app' }] } } },
    });
    expect(app(out).env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'two' },
      { name: 'C', value: '3' },
    ]);
  });

  it('fields removed from the manifest are sent as null and removed (args, all env)', () => {
    const out = smp(deployment(), {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }], containers: [{ args: null, env: null, name: 'app' }] } } },
    });
    expect(app(out).args).toBeUndefined();
    expect(app(out).env).toBeUndefined();
    expect(app(out).image).toBe('nginx:1.25');
  });

  it('a removed label is sent as null and removed', () => {
    const out = smp(deployment(), { metadata: { labels: { tier: null } } });
    expect(out.metadata.labels).toEqual({ app: 'web' });
  });

  it('switching the strategy to Recreate drops rollingUpdate through $retainKeys', () => {
    const out = smp(deployment(), { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } });
    expect(out.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('$retainKeys on a volume switches its source from configMap to secret', () => {
    const out = smp(deployment(), {
      spec: { template: { spec: { '$setElementOrder/volumes': [{ name: 'cfg' }], volumes: [{ $retainKeys: ['name', 'secret'], name: 'cfg', secret: { secretName: 's' } }] } } },
    });
    expect(out.spec.template.spec.volumes).toEqual([{ name: 'cfg', secret: { secretName: 's' } }]);
  });

  it('container ports merge by containerPort and volumeMounts by mountPath', () => {
    const out = smp(deployment(), {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'app',
                ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }],
                volumeMounts: [{ mountPath: '/etc/cfg', readOnly: true }],
              },
            ],
          },
        },
      },
    });
    expect(app(out).ports).toEqual([{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 443 }]);
    expect(app(out).volumeMounts).toEqual([{ name: 'cfg', mountPath: '/etc/cfg', readOnly: true }]);
  });

  it('lists without a merge strategy (args, tolerations) are replaced', () => {
    const out = smp(deployment(), {
      spec: { template: { spec: { containers: [{ name: 'app', args: ['--c'] }], tolerations: [{ key: 'other', operator: 'Exists' }] } } },
    });
    expect(app(out).args).toEqual(['--c']);
    expect(out.spec.template.spec.tolerations).toEqual([{ key: 'other', operator: 'Exists' }]);
  });

  it('finalizers merge as a set: added, removed with $deleteFromPrimitiveList, ordered', () => {
    const out = smp(deployment(), {
      metadata: {
        '$deleteFromPrimitiveList/finalizers': ['a.example.com/x'],
        '$setElementOrder/finalizers': ['c.example.com/z', 'b.example.com/y'],
        finalizers: ['c.example.com/z'],
      },
    });
    expect(out.metadata.finalizers).toEqual(['c.example.com/z', 'b.example.com/y']);
  });

  it('a merging list of scalars without $setElementOrder keeps live items and adds new ones once', () => {
    const out = smp(deployment(), { metadata: { finalizers: ['b.example.com/y', 'c.example.com/z'] } });
    expect(new Set(out.metadata.finalizers)).toEqual(new Set(['a.example.com/x', 'b.example.com/y', 'c.example.com/z']));
    expect(out.metadata.finalizers).toHaveLength(3);
  });

  it('service ports merge by port', () => {
    const svc = {
      metadata: { name: 's' },
      spec: { clusterIP: '10.0.0.5', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], selector: { app: 'web' } },
    };
    const out = smp(svc, { spec: { '$setElementOrder/ports': [{ port: 80 }, { port: 443 }], ports: [{ name: 'https', port: 443, targetPort: 8443 }] } }, serviceSchema);
    expect(out.spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: 8443 },
    ]);
    expect(out.spec.clusterIP).toBe('10.0.0.5');
  });

  it('initContainers and imagePullSecrets of a pod merge by name', () => {
    const pod = {
      metadata: { name: 'p' },
      spec: {
        initContainers: [{ name: 'i1', image: 'a' }],
        containers: [{ name: 'c', image: 'x' }],
        imagePullSecrets: [{ name: 'reg1' }],
      },
    };
    const out = smp(pod, { spec: { initContainers: [{ name: 'i1', image: 'b' }, { name: 'i2', image: 'c' }], imagePullSecrets: [{ name: 'reg2' }] } }, podSchema);
    expect(new Map(out.spec.initContainers.map((c: any) => [c.name, c.image]))).toEqual(new Map([['i1', 'b'], ['i2', 'c']]));
    expect(names(out.spec.imagePullSecrets).sort()).toEqual(['reg1', 'reg2']);
  });
});

describe('strategic merge patch: ordering', () => {
  it('$setElementOrder reorders a list even when no item changes', () => {
    const out = smp(deployment(), { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }] } } } });
    expect(names(out.spec.template.spec.containers)).toEqual(['sidecar', 'app']);
  });

  it('without $setElementOrder (old clients), new items go before the live ones, as upstream', () => {
    const out = smp(deployment(), { spec: { template: { spec: { containers: [{ name: 'new', image: 'x' }, { name: 'sidecar', image: 'y' }] } } } });
    expect(names(out.spec.template.spec.containers)).toEqual(['new', 'app', 'sidecar']);
  });

  it('items only the server has stay where the live list has them', () => {
    const out = smp(deployment(), {
      spec: { template: { spec: { containers: [{ name: 'app', '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }, { name: 'D' }], env: [{ name: 'D', value: '4' }] }] } } },
    });
    expect(names(app(out).env)).toEqual(['A', 'B', 'C', 'D']);
  });

  it('refuses a patch list whose order contradicts $setElementOrder', () => {
    const e = failure(() =>
      smp(deployment(), { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'app' }], containers: [{ name: 'other', image: 'x' }] } } } }),
    );
    expect(e.status).toBe(500);
    expect(e.message).toContain("doesn't match $setElementOrder list");
  });
});

describe('strategic merge patch: $patch directives', () => {
  it('$patch: replace in a map replaces the whole map', () => {
    const out = smp(deployment(), { metadata: { labels: { $patch: 'replace', only: 'this' } } });
    expect(out.metadata.labels).toEqual({ only: 'this' });
  });

  it('kubectl rollout undo (1.20): the whole pod template is replaced with $patch: replace', () => {
    const previous = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.24' }] } };
    const out = smp(deployment(), {
      metadata: { annotations: { 'deployment.kubernetes.io/revision': '1' } },
      spec: { template: { $patch: 'replace', ...previous } },
    });
    expect(out.spec.template).toEqual(previous);
    expect(out.spec.replicas).toBe(2);
  });

  it('$patch: delete in a map empties it', () => {
    const out = smp(deployment(), { spec: { selector: { $patch: 'delete' } } });
    expect(out.spec.selector).toEqual({});
  });

  it('$patch: delete of a map the object does not have adds nothing', () => {
    const out = smp(deployment(), { spec: { paused: null, minReadySeconds: 5, revisionHistoryLimit: null, progressDeadline: { $patch: 'delete' } } });
    expect(Object.hasOwn(out.spec, 'progressDeadline')).toBe(false);
    expect(out.spec.minReadySeconds).toBe(5);
  });

  it('$patch: replace as a list item replaces the whole list', () => {
    const out = smp(deployment(), {
      spec: { template: { spec: { containers: [{ name: 'new', image: 'x', env: [{ name: 'Z', value: null }] }, { $patch: 'replace' }] } } },
    });
    expect(out.spec.template.spec.containers).toEqual([{ name: 'new', image: 'x', env: [{ name: 'Z' }] }]);
  });

  it('refuses $patch: merge in a list and unknown $patch values', () => {
    expect(failure(() => smp(deployment(), { spec: { template: { spec: { containers: [{ $patch: 'merge' }] } } } })).message).toBe(
      'merging lists cannot yet be specified in the patch',
    );
    expect(failure(() => smp(deployment(), { metadata: { $patch: 'frob' } })).message).toMatch(/^unknown patch type: "frob" in map/);
  });

  it('no directive survives in values the live object did not have', () => {
    const d = deployment();
    delete d.spec.template.spec.volumes;
    delete app(d).env;
    const out = smp(d, {
      metadata: { newMap: { $patch: 'replace', a: 1 } },
      spec: {
        template: {
          spec: {
            '$setElementOrder/volumes': [{ name: 'v' }],
            volumes: [{ $retainKeys: ['name', 'emptyDir'], name: 'v', emptyDir: {} }, { $patch: 'delete', name: 'gone' }],
            containers: [{ name: 'app', '$setElementOrder/env': [{ name: 'X' }], env: [{ name: 'X', value: 'x', valueFrom: null }] }],
          },
        },
      },
    });
    expect(out.spec.template.spec.volumes).toEqual([{ name: 'v', emptyDir: {} }]);
    expect(app(out).env).toEqual([{ name: 'X', value: 'x' }]);
    expect(out.metadata.newMap).toEqual({ a: 1 });
    expect(allKeys(out).filter((k) => k.startsWith('$'))).toEqual([]);
  });
});

describe('strategic merge patch: errors', () => {
  it('answers 400 for malformed directives and non-object patches', () => {
    const cases: [unknown, string][] = [
      [{ spec: { strategy: { $retainKeys: 'type' } } }, 'invalid patch format of retainKeys'],
      [{ spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }, 'invalid patch format of retainKeys'],
      [{ metadata: { '$setElementOrderfinalizers': [] } }, 'invalid patch format of setElementOrder list'],
      [{ metadata: { '$deleteFromPrimitiveListfinalizers': [] } }, 'invalid patch format of primitive list'],
      [['a'], 'json: cannot unmarshal array into Go value of type map[string]interface {}'],
      ['x', 'json: cannot unmarshal string into Go value of type map[string]interface {}'],
    ];
    for (const [patch, message] of cases) {
      const e = failure(() => smp(deployment(), patch));
      expect([e.status, e.message]).toEqual([400, message]);
    }
  });

  it('answers 422 for lists of lists in a merging list', () => {
    const e = failure(() => smp(deployment(), { metadata: { finalizers: [['x']] } }));
    expect([e.status, e.message]).toEqual([422, 'lists of lists are not supported']);
  });

  it('answers 500, as upstream does, for a merging-list item without its merge key', () => {
    const e = failure(() => smp(deployment(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }));
    expect(e.status).toBe(500);
    expect(e.message).toContain('does not contain declared merge key: name');
  });

  it('treats a null patch as empty', () => {
    expect(smp(deployment(), null)).toEqual(deployment());
  });
});

describe('strategic merge patch: fields without a schema', () => {
  it('behaves like a JSON merge patch (maps merge, lists replace, null deletes)', () => {
    const target = { spec: { list: [{ name: 'a', v: 1 }], map: { a: 1, b: 2 } } };
    const out = applyStrategicMergePatch(target, { spec: { list: [{ name: 'b' }], map: { b: null, c: 3 } } }, undefined);
    expect(out).toEqual({ spec: { list: [{ name: 'b' }], map: { a: 1, c: 3 } } });
  });

  it('unknown members of a known kind merge the same way', () => {
    const d = deployment();
    d.spec.template.spec.x = { items: [1, 2], keep: true };
    const out = smp(d, { spec: { template: { spec: { x: { items: [3] } } } } });
    expect(out.spec.template.spec.x).toEqual({ items: [3], keep: true });
  });
});

describe('strategic merge patch: inputs', () => {
  it('never changes the target or the patch, and shares nothing with them', () => {
    const target = deployment();
    const patch = {
      metadata: { labels: { tier: null }, '$deleteFromPrimitiveList/finalizers': ['a.example.com/x'] },
      spec: {
        strategy: { $retainKeys: ['type'], type: 'Recreate' },
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }],
            containers: [{ '$setElementOrder/env': [{ name: 'A' }], env: [{ $patch: 'delete', name: 'B' }, { $patch: 'delete', name: 'C' }], name: 'app', image: 'x' }],
            volumes: [{ name: 'new', emptyDir: { medium: 'Memory' } }],
          },
        },
      },
    };
    const before = [JSON.stringify(target), JSON.stringify(patch)];
    const out = smp(target, patch);
    expect([JSON.stringify(target), JSON.stringify(patch)]).toEqual(before);
    out.spec.template.spec.volumes.find((v: any) => v.name === 'new').emptyDir.medium = 'changed';
    out.spec.template.spec.containers[1].env[0].value = 'changed';
    out.status.replicas = 9;
    expect([JSON.stringify(target), JSON.stringify(patch)]).toEqual(before);
  });
});
