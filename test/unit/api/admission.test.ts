// The admission chain: plugins run in order, the first refusal answers and the later ones are
// not asked; a request's attributes name the object a create makes, or the URL's.
import { describe, expect, it } from 'vitest';
import { admissionChain, attributesOf, refused, type AdmissionAttributes, type AdmissionPlugin } from '../../../src-main/api/admission/admission.ts';
import type { RequestScope } from '../../../src-main/api/handlers/context.ts';

const user = { name: 'alice', groups: [] };
const base: AdmissionAttributes = { operation: 'CREATE', user, group: 'apps', resource: 'deployments', namespace: 'default', name: 'web' };

describe('admissionChain', () => {
  it('runs the plugins in order and stops at the first refusal', async () => {
    const asked: string[] = [];
    const plugin = (name: string, refuse = false): AdmissionPlugin => ({
      name,
      async validate(a) {
        asked.push(name);
        if (refuse) throw refused(a, `${name} says no`);
      },
    });
    await admissionChain([plugin('a'), plugin('b')])(base);
    expect(asked).toEqual(['a', 'b']);
    asked.length = 0;
    await expect(admissionChain([plugin('a', true), plugin('b')])(base)).rejects.toMatchObject({ code: 403, reason: 'Forbidden', message: 'deployments.apps "web" is forbidden: a says no' });
    expect(asked).toEqual(['a']);
  });

  it('names the object a create makes, or the URL\'s (a subresource\'s parent, an update)', () => {
    const scope = (name: string | undefined, subresource?: string) =>
      ({ user, info: { name, subresource, namespace: 'default' }, served: { definition: { group: '', resource: 'serviceaccounts' } } }) as unknown as RequestScope;
    const obj = { metadata: { name: 'from-body' } };
    expect(attributesOf(scope(undefined), 'CREATE', obj).name).toBe('from-body');
    expect(attributesOf(scope('default', 'token'), 'CREATE', obj).name).toBe('default');
    expect(attributesOf(scope('url'), 'UPDATE', obj, obj).name).toBe('url');
    expect(refused({ ...base, name: '' }, 'why').message).toBe('deployments.apps is forbidden: why');
  });
});
