import { describe, expect, it } from 'vitest';
import { FieldSelectorError, parseFieldSelector } from '../../../../src-main/api/selectors/field-selector.ts';
import { pod } from '../../../../src-main/api/resources/pod.ts';
import { configMap } from '../../../../src-main/api/resources/configmap.ts';
import type { KubeObject } from '../../../../src-main/api/resources/types.ts';

const p: KubeObject = { metadata: { name: 'p1', namespace: 'ns' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };

describe('parseFieldSelector', () => {
  it('matches metadata and the fields a kind declares, with =, == and !=', () => {
    expect(parseFieldSelector('metadata.name=p1', pod).matches(p)).toBe(true);
    expect(parseFieldSelector('metadata.name==p2', pod).matches(p)).toBe(false);
    expect(parseFieldSelector('spec.nodeName=n1,status.phase!=Pending', pod).matches(p)).toBe(true);
    expect(parseFieldSelector('metadata.namespace=ns', pod).matches(p)).toBe(true);
    expect(parseFieldSelector('spec.nodeName=', pod).matches({ ...p, spec: {} })).toBe(true);
  });

  it('pins metadata.name so lists can read one key', () => {
    expect(parseFieldSelector('metadata.name=p1', pod).name).toBe('p1');
    expect(parseFieldSelector('metadata.name!=p1', pod).name).toBeUndefined();
  });

  it('refuses fields the kind does not declare, and malformed terms', () => {
    expect(() => parseFieldSelector('spec.nodeName=n1', configMap)).toThrow('field label not supported: spec.nodeName');
    expect(() => parseFieldSelector('nonsense', pod)).toThrow(FieldSelectorError);
  });
});
