// Every kind the API server serves. Add a kind: write its file, list it here.
import type { ResourceDefinition } from './types.ts';
import { namespace } from './namespace.ts';
import { pod } from './pod.ts';
import { service } from './service.ts';
import { endpoints } from './endpoints.ts';
import { configMap } from './configmap.ts';
import { secret } from './secret.ts';
import { node } from './node.ts';
import { event } from './event.ts';
import { eventsEvent } from './events-k8s-io-event.ts';
import { serviceAccount } from './serviceaccount.ts';
import { deployment } from './deployment.ts';
import { replicaSet } from './replicaset.ts';
import { daemonSet } from './daemonset.ts';
import { controllerRevision } from './controllerrevision.ts';
import { job } from './job.ts';
import { cronJob } from './cronjob.ts';
import { horizontalPodAutoscaler } from './horizontalpodautoscaler.ts';
import { role } from './role.ts';
import { roleBinding } from './rolebinding.ts';
import { clusterRole } from './clusterrole.ts';
import { clusterRoleBinding } from './clusterrolebinding.ts';
import { lease } from './lease.ts';
import { endpointSlice } from './endpointslice.ts';
import { certificateSigningRequest } from './certificatesigningrequest.ts';

export const resourceDefinitions: readonly ResourceDefinition[] = [
  namespace,
  pod,
  service,
  endpoints,
  configMap,
  secret,
  node,
  event,
  serviceAccount,
  deployment,
  replicaSet,
  daemonSet,
  controllerRevision,
  job,
  cronJob,
  horizontalPodAutoscaler,
  role,
  roleBinding,
  clusterRole,
  clusterRoleBinding,
  lease,
  endpointSlice,
  eventsEvent,
  certificateSigningRequest,
];
