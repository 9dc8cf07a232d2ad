// nodes/{name}/proxy/{path}, as kube-apiserver's NodeREST proxy: the rest of the path and the
// query go to the node's agent (`kubectl get --raw /api/v1/nodes/N/proxy/stats/summary`,
// /metrics/resource, /containerLogs/…), answered as the agent answers.
import { getObject } from '../object-store.ts';
import { notFound } from '../status.ts';
import type { RequestScope } from '../handlers/context.ts';
import { noAgent } from './agent-connector.ts';
import { proxyStream } from './upgrade-proxy.ts';

export async function handleNodeProxy(scope: RequestScope): Promise<void> {
  const { info, api, served } = scope;
  const nodeName = info.name!;
  if (!(await getObject(api.store, served.definition, undefined, nodeName))) throw notFound('', 'nodes', nodeName);
  if (!api.agents) throw noAgent(nodeName, 'proxy');
  const raw = scope.req.url ?? '';
  const q = raw.indexOf('?');
  const path = `/${info.rest.map(encodeURIComponent).join('/')}${q < 0 ? '' : raw.slice(q)}`;
  return proxyStream(api.agents, nodeName, path, scope.req, scope.res);
}
