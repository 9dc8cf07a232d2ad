// Listing and switching the cluster the app shows.
import type { ContextMethods } from '../api/contexts.ts';
import * as check from '../check.ts';
import type { MethodTable } from '../method.ts';
import { ServiceError } from '../service-error.ts';
import type { ServiceDeps } from './deps.ts';

export function contextServices({ contexts }: ServiceDeps): MethodTable<keyof ContextMethods> {
  const switcher = () => {
    if (!contexts) throw new ServiceError('this bridge shows one cluster only', 400);
    return contexts;
  };
  return {
    listContexts: {
      check: () => ({}),
      run: async () => switcher().list(),
    },
    useContext: {
      check(value) {
        const p = check.params(value, 'useContext');
        return { name: check.string(p, 'name', 'useContext', 253) };
      },
      async run({ name }) {
        await switcher().use(name);
        return null;
      },
    },
  };
}
