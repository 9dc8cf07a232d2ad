// Every call the renderer can make, by area. Each area's file lists its methods with their
// parameters and results (types only: the renderer imports them); the main side's
// implementation of area X is ../services/X.ts.
import type { ClusterMethods } from './cluster.ts';
import type { LogMethods } from './logs.ts';
import type { StreamMethods } from './streams.ts';

export interface ServiceMethods extends
  ClusterMethods,
  LogMethods,
  StreamMethods {}
