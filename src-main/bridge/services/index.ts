// Every area's services in one table. A method declared in api/methods.ts but not implemented
// here is a type error.
import type { MethodTable } from '../method.ts';
import { clusterServices } from './cluster.ts';
import type { ServiceDeps } from './deps.ts';
import { logServices } from './logs.ts';
import { streamServices } from './streams.ts';

export type { ServiceDeps } from './deps.ts';

export function createServices(deps: ServiceDeps): MethodTable {
  return {
    ...clusterServices(deps),
    ...logServices(deps),
    ...streamServices(),
  };
}
