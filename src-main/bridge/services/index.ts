// Every area's services in one table. A method declared in api/methods.ts but not implemented
// here is a type error.
import type { MethodTable } from '../method.ts';
import { clusterServices } from './cluster.ts';
import { contextServices } from './contexts.ts';
import type { ServiceDeps } from './deps.ts';
import { editorServices } from './editor.ts';
import { logServices } from './logs.ts';
import { nodeJoinServices } from './node-join.ts';
import { nodeServices } from './nodes.ts';
import { portForwardServices } from './port-forwards.ts';
import { resourceServices } from './resources.ts';
import { streamServices } from './streams.ts';
import { terminalServices } from './terminals.ts';
import { workloadServices } from './workloads.ts';

export type { ServiceDeps } from './deps.ts';

export function createServices(deps: ServiceDeps): MethodTable {
  return {
    ...clusterServices(deps),
    ...contextServices(deps),
    ...editorServices(deps),
    ...logServices(deps),
    ...nodeJoinServices(deps),
    ...nodeServices(deps),
    ...portForwardServices(deps),
    ...resourceServices(deps),
    ...streamServices(),
    ...terminalServices(deps),
    ...workloadServices(deps),
  };
}
