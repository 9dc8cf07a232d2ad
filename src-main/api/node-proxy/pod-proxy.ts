// pods/log, pods/exec, pods/attach and pods/portforward, as kube-apiserver serves them: the pod's
// container is checked (validateContainer in pkg/registry/core/pod/strategy.go), the log options
// validated (ValidatePodLogOptions), and the request goes to the agent of the pod's node at the
// kubelet's paths with the client's query passed on: /containerLogs/{ns}/{pod}/{container},
// /exec/…/{container}, /attach/…/{container}, /portForward/{ns}/{pod}.
import type { Pod } from 'kubernetes-types/core/v1';
import { ApiError, badRequest, invalid } from '../status.ts';
import { forbidden, invalid as invalidValue, type FieldError } from '../field-errors.ts';
import type { RequestScope } from '../handlers/context.ts';
import { noAgent } from './agent-connector.ts';
import { proxyStream, proxyUpgrade } from './upgrade-proxy.ts';

const kubeletPaths: Record<string, string> = { log: 'containerLogs', exec: 'exec', attach: 'attach', portforward: 'portForward' };

/** The pod's container named in the request, or its only one; the API's 400s otherwise. */
export function validateContainer(pod: Pod, container: string | null): string {
  const name = pod.metadata?.name ?? '';
  const names = (list: { name: string }[] | undefined) => (list ?? []).map((c) => c.name);
  if (!container) {
    const containers = names(pod.spec?.containers);
    if (containers.length === 1) return containers[0];
    if (containers.length === 0) throw badRequest(`pod ${name} does not have a container`);
    const inits = names(pod.spec?.initContainers);
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : ''}`);
  }
  const all = [...names(pod.spec?.containers), ...names(pod.spec?.initContainers), ...names(pod.spec?.ephemeralContainers)];
  if (!all.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

/** PodLogOptions as the API checks them before any node is asked. */
export function validateLogOptions(query: URLSearchParams, name: string): void {
  const errors: FieldError[] = [];
  const int = (key: string): number | undefined => {
    const v = query.get(key);
    if (v === null || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) throw badRequest(`${key}: Invalid value: "${v}": strconv.ParseInt: parsing "${v}": invalid syntax`);
    return Number(v);
  };
  const tail = int('tailLines');
  const limit = int('limitBytes');
  const since = int('sinceSeconds');
  const sinceTime = query.get('sinceTime');
  if (sinceTime && Number.isNaN(Date.parse(sinceTime))) throw badRequest(`sinceTime: Invalid value: "${sinceTime}": parsing time "${sinceTime}" as "2006-01-02T15:04:05Z07:00": cannot parse`);
  if (tail !== undefined && tail < 0) errors.push(invalidValue('tailLines', tail, 'must be greater than or equal to 0'));
  if (limit !== undefined && limit < 1) errors.push(invalidValue('limitBytes', limit, 'must be greater than 0'));
  if (since !== undefined && sinceTime) errors.push(forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  else if (since !== undefined && since < 1) errors.push(invalidValue('sinceSeconds', since, 'must be greater than 0'));
  if (errors.length > 0) throw invalid('', 'PodLogOptions', name, errors);
}

/** Where on the agent a pod subresource is served, with the request's query as it came. */
export function agentPath(scope: RequestScope, pod: Pod): string {
  const sub = scope.info.subresource!;
  const ns = encodeURIComponent(pod.metadata!.namespace!);
  const name = encodeURIComponent(pod.metadata!.name!);
  let path = `/${kubeletPaths[sub]}/${ns}/${name}`;
  if (sub !== 'portforward') path += `/${encodeURIComponent(validateContainer(pod, scope.query.get('container')))}`;
  const raw = scope.req.url ?? '';
  const q = raw.indexOf('?');
  return q < 0 ? path : `${path}${raw.slice(q)}`;
}

/** Serves one of the four subresources for a stored pod. */
export async function proxyToAgent(scope: RequestScope, pod: Pod): Promise<void> {
  const sub = scope.info.subresource!;
  if (sub === 'log') validateLogOptions(scope.query, pod.metadata!.name!);
  const path = agentPath(scope, pod);
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${pod.metadata!.name} does not have a host assigned`);
  const agents = scope.api.agents;
  if (!agents) throw noAgent(nodeName, sub);
  // A Node whose agent never reported an endpoint is today's 503, with the subresource named.
  await agents.location(nodeName).catch((e: unknown) => {
    throw e instanceof ApiError && e.code === 503 ? noAgent(nodeName, sub) : e;
  });
  if (scope.upgrade) return proxyUpgrade(agents, nodeName, path, scope.req, scope.upgrade.socket, scope.upgrade.head);
  return proxyStream(agents, nodeName, path, scope.req, scope.res, sub === 'log' ? { resource: 'pods/log', name: pod.metadata!.name! } : undefined);
}
