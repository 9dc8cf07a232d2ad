import { describe, expect, it } from 'vitest';
import { job } from '../../../../src-main/api/resources/job.ts';
import type { KubeObject } from '../../../../src-main/api/resources/types.ts';
import { create, examplesOfKind, fields, messages, update } from './workload-helpers.ts';

const pi = (): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'pi' },
  spec: {
    backoffLimit: 4,
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5.34.0', command: ['perl', '-Mbignum=bpi', '-wle', 'print bpi(2000)'] }] } },
  },
});

describe('Job examples from the Kubernetes docs', () => {
  const examples = examplesOfKind('Job');
  it('finds the job examples', () => expect(examples.length).toBeGreaterThanOrEqual(1));
  for (const { file, obj } of examples) {
    it(`${file} (${obj.metadata.name}) is valid and defaulted`, async () => {
      const { obj: stored, errors } = await create(job, obj);
      expect(messages(errors)).toEqual([]);
      expect(stored.spec).toMatchObject({ completionMode: expect.stringMatching(/^(NonIndexed|Indexed)$/), backoffLimit: expect.any(Number), suspend: false, manualSelector: false, podReplacementPolicy: 'TerminatingOrFailed' });
    });
  }
});

describe('Job defaults and generated selector', () => {
  it('looks as kubectl get job -o yaml shows it', async () => {
    const { obj, errors } = await create(job, pi());
    expect(errors).toEqual([]);
    const uid = obj.metadata.uid!;
    const spec = obj.spec as any;
    expect(spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 4, completionMode: 'NonIndexed', suspend: false, manualSelector: false });
    expect(spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    const generated = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': uid, 'job-name': 'pi' };
    expect(spec.template.metadata.labels).toEqual(generated);
    expect(obj.metadata.labels).toEqual(generated);
    expect(spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
  });

  it('defaults only parallelism when completions is set, and backoffLimit 6', async () => {
    const j = pi();
    delete (j.spec as any).backoffLimit;
    (j.spec as any).completions = 5;
    const spec = (await create(job, j)).obj.spec as any;
    expect([spec.completions, spec.parallelism, spec.backoffLimit]).toEqual([5, 1, 6]);
  });

  it('refuses a selector given without manualSelector', async () => {
    const j = pi();
    (j.spec as any).selector = { matchLabels: { app: 'pi' } };
    (j.spec as any).template.metadata = { labels: { app: 'pi' } };
    const errs = (await create(job, j)).errors;
    expect(fields(errs)).toEqual(['spec.selector']);
    expect(errs[0].detail).toBe('`selector` not auto-generated');
  });

  it('keeps a manual selector when asked to', async () => {
    const j = pi();
    Object.assign(j.spec as any, { manualSelector: true, selector: { matchLabels: { app: 'pi' } } });
    (j.spec as any).template.metadata = { labels: { app: 'pi' } };
    const { obj, errors } = await create(job, j);
    expect(errors).toEqual([]);
    expect((obj.spec as any).selector).toEqual({ matchLabels: { app: 'pi' } });
  });
});

describe('Job validation', () => {
  const invalid = async (mutate: (spec: any) => void) => {
    const j = pi();
    mutate(j.spec);
    return (await create(job, j)).errors;
  };

  it('requires restartPolicy OnFailure or Never', async () => {
    expect(messages(await invalid((s) => (s.template.spec.restartPolicy = 'Always')))).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    ]);
  });

  it('checks counts and the completion mode', async () => {
    expect(fields(await invalid((s) => (s.parallelism = -1)))).toEqual(['spec.parallelism']);
    expect(messages(await invalid((s) => (s.completionMode = 'Sometimes')))).toEqual([
      'spec.completionMode: Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"',
    ]);
    expect(messages(await invalid((s) => (s.completionMode = 'Indexed') && (s.completions = 200000)))).toEqual([
      'spec.completions: Invalid value: 200000: must be less than or equal to 100000 when completion mode is Indexed',
    ]);
  });

  it('requires an image in the template', async () => {
    expect(messages(await invalid((s) => delete s.template.spec.containers[0].image))).toEqual(['spec.template.spec.containers[0].image: Required value']);
  });
});

describe('Job updates', () => {
  it('refuses template, selector and completions changes; allows parallelism', async () => {
    const { obj: old } = await create(job, pi());
    const image = structuredClone(old);
    (image.spec as any).template.spec.containers[0].image = 'perl:5.36';
    expect(fields((await update(job, image, old)).errors)).toEqual(['spec.template']);
    const completions = structuredClone(old);
    (completions.spec as any).completions = 3;
    expect(fields((await update(job, completions, old)).errors)).toEqual(['spec.completions']);
    const parallelism = structuredClone(old);
    (parallelism.spec as any).parallelism = 3;
    expect((await update(job, parallelism, old)).errors).toEqual([]);
  });

  it('lets a suspended job that never started change its node selector', async () => {
    const j = pi();
    (j.spec as any).suspend = true;
    const { obj: old } = await create(job, j);
    const moved = structuredClone(old);
    (moved.spec as any).template.spec.nodeSelector = { disk: 'ssd' };
    expect((await update(job, moved, old)).errors).toEqual([]);
  });
});

describe('Job table', () => {
  it('shows STATUS COMPLETIONS DURATION as kubectl does', async () => {
    const { obj } = await create(job, pi());
    const now = new Date('2024-01-01T00:10:00Z');
    obj.status = { startTime: '2024-01-01T00:00:05Z', active: 1 };
    const cells = job.table!.cells(obj, now);
    expect(cells.slice(0, 5)).toEqual(['pi', 'Running', '0/1', '9m55s', '10m']);
    obj.status = { startTime: '2024-01-01T00:00:05Z', completionTime: '2024-01-01T00:00:47Z', succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] };
    expect(job.table!.cells(obj, now).slice(0, 5)).toEqual(['pi', 'Complete', '1/1', '42s', '10m']);
    expect(job.table!.cells(obj, now).slice(5, 7)).toEqual(['pi', 'perl:5.34.0']);
    expect(job.table!.cells(obj, now)[7]).toBe(`batch.kubernetes.io/controller-uid=${obj.metadata.uid}`);
  });
});

describe('Job pod failure policy', () => {
  const withPolicy = (policy: object, restartPolicy = 'Never'): KubeObject => {
    const j = pi();
    (j.spec as any).podFailurePolicy = policy;
    (j.spec as any).template.spec.restartPolicy = restartPolicy;
    return j;
  };

  it('accepts the documented example and defaults the replacement policy to Failed', async () => {
    const { obj, errors } = await create(
      job,
      withPolicy({
        rules: [
          { action: 'FailJob', onExitCodes: { containerName: 'pi', operator: 'In', values: [42] } },
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
        ],
      }),
    );
    expect(errors).toEqual([]);
    expect((obj.spec as any).podReplacementPolicy).toBe('Failed');
    expect((obj.spec as any).podFailurePolicy.rules[1].onPodConditions[0].status).toBe('True');
  });

  it('refuses bad rules and restartPolicy OnFailure', async () => {
    const { errors } = await create(job, withPolicy({ rules: [{ action: 'Explode', onExitCodes: { operator: 'In', values: [3, 1] } }, { action: 'Count' }] }, 'OnFailure'));
    expect(fields(errors)).toEqual([
      'spec.template.spec.restartPolicy',
      'spec.podFailurePolicy.rules[0].action',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[1]',
      'spec.podFailurePolicy.rules[1]',
    ]);
  });
});
