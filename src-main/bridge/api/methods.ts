// Every call the renderer can make, by area. Each area's file lists its methods with their
// parameters and results (types only: the renderer imports them); the main side's
// implementation of area X is ../services/X.ts.
import type { ClusterMethods } from './cluster.ts';
import type { ContextMethods } from './contexts.ts';
import type { EditorMethods } from './editor.ts';
import type { LogMethods } from './logs.ts';
import type { NodeJoinMethods } from './node-join.ts';
import type { NodeMethods } from './nodes.ts';
import type { PortForwardMethods } from './port-forwards.ts';
import type { ResourceMethods } from './resources.ts';
import type { StreamMethods } from './streams.ts';
import type { TerminalMethods } from './terminals.ts';
import type { WorkloadMethods } from './workloads.ts';

export interface ServiceMethods extends
  ClusterMethods,
  ContextMethods,
  EditorMethods,
  LogMethods,
  NodeJoinMethods,
  NodeMethods,
  PortForwardMethods,
  ResourceMethods,
  StreamMethods,
  TerminalMethods,
  WorkloadMethods {}
