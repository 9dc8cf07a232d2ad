// Every area's services in one table. A method declared in api/methods.ts but not implemented
// here is a type error.
import type { MethodTable } from '../method.ts';
import { clusterServices } from './cluster.ts';
import type { ServiceDeps } from './deps.ts';
import { nodeServices } from './nodes.ts';
import { streamServices } from './streams.ts';
import { workloadServices } from './workloads.ts';

export type { ServiceDeps } from './deps.ts';

export function createServices(deps: ServiceDeps): MethodTable {
  return {
    ...clusterServices(deps),
    ...nodeServices(deps),
    ...streamServices(),
    ...workloadServices(deps),
  };
}
