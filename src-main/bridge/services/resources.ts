// Reading one Secret value and creating namespaces for the resource views.
import type { Secret } from 'kubernetes-types/core/v1';
import { gvr } from '../../client/resources.ts';
import type { ResourceMethods, RevealedSecretValue } from '../api/resources.ts';
import * as check from '../check.ts';
import type { MethodTable } from '../method.ts';
import { namespaceNameProblem } from '../namespace-name.ts';
import { ServiceError } from '../service-error.ts';
import type { ServiceDeps } from './deps.ts';

// What the API server accepts as a Secret or ConfigMap data key.
const DATA_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A Secret's stored (base64) value as text when its bytes are UTF-8, else as the base64 itself. */
export function decodeSecretValue(base64: string): RevealedSecretValue {
  const bytes = Buffer.from(base64, 'base64');
  try {
    return { value: utf8.decode(bytes), binary: false };
  } catch {
    return { value: base64, binary: true };
  }
}

export function resourceServices({ client }: ServiceDeps): MethodTable<keyof ResourceMethods> {
  return {
    revealSecret: {
      check(value) {
        const p = check.params(value, 'revealSecret');
        const key = check.string(p, 'key', 'revealSecret', 253);
        if (!DATA_KEY.test(key)) throw new ServiceError('revealSecret: key must be a valid Secret data key', 400);
        return { namespace: check.name(p, 'namespace', 'revealSecret'), name: check.name(p, 'name', 'revealSecret'), key };
      },
      async run({ namespace, name, key }) {
        const secret = await client.get<Secret>(gvr.secrets, namespace, name);
        const stored = secret.data?.[key];
        if (stored === undefined) throw new ServiceError(`secret ${namespace}/${name} has no key "${key}"`, 404);
        return decodeSecretValue(stored);
      },
    },
    createNamespace: {
      check(value) {
        const p = check.params(value, 'createNamespace');
        const name = check.string(p, 'name', 'createNamespace', 253);
        const problem = namespaceNameProblem(name);
        if (problem) throw new ServiceError(`createNamespace: ${problem}`, 400);
        return { name };
      },
      async run({ name }) {
        await client.create(gvr.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
        return null;
      },
    },
  };
}
