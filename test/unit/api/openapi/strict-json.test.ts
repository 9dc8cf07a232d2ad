import { describe, expect, it } from 'vitest';
import { strictJSONFieldErrors } from '../../../../src-main/api/openapi/strict-json.ts';
import { checkFields, strictDecodingMessageOf } from '../../../../src-main/api/openapi/field-check.ts';

// Duplicate keys survive only in the text: JSON.parse keeps the last one silently.
const body = `{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": { "name": "first", "name": "second", "labels": {"app": "web", "app": "web2"}, "extraMeta": 1 },
  "spec": {
    "bogus": "x",
    "bogusTwice": "a",
    "bogusTwice": "b",
    "paused": true,
    "paused": false,
    "selector": { "matchLabels": { "app": "web" } },
    "template": {
      "metadata": { "labels": { "app": "web" } },
      "spec": {
        "containers": [
          { "name": "a", "image": "nginx" },
          { "name": "b", "image": "nginx", "nested\\u0058": {"deep": {"deep": 1}}, "imagePullPolicy": "Always", "imagePullPolicy": "Never" }
        ]
      }
    }
  },
  "status": {"conditions": [{"type": "Available", "type": "Progressing", "status": "True"}]}
}`;

describe('strictJSONFieldErrors', () => {
  it('reports unknown and duplicate fields in document order, each once, as upstream does', () => {
    expect(strictJSONFieldErrors('apps', 'v1', 'Deployment', body)).toEqual([
      'duplicate field "metadata.name"',
      'duplicate field "metadata.labels.app"',
      'unknown field "metadata.extraMeta"',
      'unknown field "spec.bogus"',
      'unknown field "spec.bogusTwice"',
      'duplicate field "spec.paused"',
      'unknown field "spec.template.spec.containers[1].nestedX"',
      'duplicate field "spec.template.spec.containers[1].imagePullPolicy"',
      'duplicate field "status.conditions[0].type"',
    ]);
  });

  it('finds the same unknown fields as checkFields on the parsed body', () => {
    const unknown = checkFields('apps', 'v1', 'Deployment', JSON.parse(body)).unknown;
    const fromText = strictJSONFieldErrors('apps', 'v1', 'Deployment', body).filter((e) => e.startsWith('unknown')).map((e) => e.slice('unknown field "'.length, -1));
    expect(fromText).toEqual(unknown);
  });

  it('is empty for a clean body, whatever its formatting, strings and numbers', () => {
    const clean = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","annotations":{"q":"a \\"quoted\\" ,:{}[] value"}},"data":{"k":"v","k2":"{\\"not\\":\\"parsed\\"}"}}';
    expect(strictJSONFieldErrors('', 'v1', 'ConfigMap', clean)).toEqual([]);
    const pod = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }], resources: { limits: { cpu: 1.5 } } }], terminationGracePeriodSeconds: -1e3 } }, null, 2);
    expect(strictJSONFieldErrors('', 'v1', 'Pod', pod)).toEqual([]);
  });

  it('does not look inside free-form values or values of the wrong type', () => {
    const text = '{"metadata":{"name":"x","managedFields":[{"manager":"m","fieldsV1":{"f:a":{},"f:a":{}}}]},"spec":"oops","unknownTop":{"a":1,"a":2}}';
    expect(strictJSONFieldErrors('apps', 'v1', 'Deployment', text)).toEqual(['unknown field "unknownTop"']);
  });

  it('never hangs or throws on malformed text (every prefix of a body, stray brackets)', () => {
    for (let n = 0; n <= body.length; n += 7) expect(Array.isArray(strictJSONFieldErrors('apps', 'v1', 'Deployment', body.slice(0, n)))).toBe(true);
    for (const text of ['{"spec":{"template":{"spec":{"containers":[}]}}}', '{"metadata":{"name":"a\\', '{"a":]', '[', '"x"', '']) {
      expect(Array.isArray(strictJSONFieldErrors('apps', 'v1', 'Deployment', text))).toBe(true);
    }
  });

  it('words the Strict message from the fragments', () => {
    expect(strictDecodingMessageOf(['duplicate field "spec.paused"', 'unknown field "spec.x"']))
      .toBe('strict decoding error: duplicate field "spec.paused", unknown field "spec.x"');
  });
});

describe('checkFields with sortKeys (YAML bodies)', () => {
  it('reports in sorted key order, as upstream does after converting YAML to JSON', () => {
    const obj = { spec: { zeta: 1, template: { spec: { containers: [{ name: 'a', zz: 1, aa: 2 }] } }, unknown1: 1, selector: {} }, metadata: { name: 'x', bogus: 1 } };
    expect(checkFields('apps', 'v1', 'Deployment', obj, { sortKeys: true }).unknown).toEqual([
      'metadata.bogus', 'spec.template.spec.containers[0].aa', 'spec.template.spec.containers[0].zz', 'spec.unknown1', 'spec.zeta',
    ]);
    expect(checkFields('apps', 'v1', 'Deployment', obj).unknown[0]).toBe('spec.zeta');
  });
});
