// metrics.k8s.io/v1beta1 as metrics-server serves it, answered in-process: NodeMetrics (nodes,
// cluster-scoped) and PodMetrics (pods, namespaced), get and list only. Usage comes from the
// control plane's metrics sources (hollow nodes, node agents); names and labels from the store.
// Objects a source does not report are absent (404 on GET), as metrics-server leaves out what
// it has not scraped. Nothing here is writable.
import type { ServerResponse } from 'node:http';
import type { APIGroupExtension, APIGroupRequest } from '../../api/api-group-extension.ts';
import { writeJSON } from '../../api/handlers/codec.ts';
import { negotiateOutput } from '../../api/handlers/output.ts';
import type { ResourceRegistry } from '../../api/registry.ts';
import { ApiError, pageNotFound } from '../../api/status.ts';
import type { Store } from '../../store/store.ts';
import { realClock, type Clock } from '../../util/clock.ts';
import { UsageCollector } from '../snapshot.ts';
import type { MetricsSource } from '../usage.ts';
import { ObjectInfoReader } from './object-info.ts';
import { metricsAPIVersion, metricsGroup, metricsVersion, nodeMetrics, podMetrics, withType, type MetricsObject, type ObjectInfo } from './objects.ts';
import { parseMetricsSelector } from './selectors.ts';
import { metricsTable } from './table.ts';

export interface MetricsAPIOptions {
  store: Store;
  registry: ResourceRegistry;
  /** Read on every request, so sources added later (the fleet) are seen. */
  sources: readonly MetricsSource[];
  clock?: Clock;
}

interface MetricsResource {
  kind: 'NodeMetrics' | 'PodMetrics';
  /** The group-resource of NotFound messages: nodemetrics.metrics.k8s.io. */
  notFoundResource: string;
  namespaced: boolean;
}

const resources: Record<string, MetricsResource> = {
  nodes: { kind: 'NodeMetrics', notFoundResource: 'nodemetrics', namespaced: false },
  pods: { kind: 'PodMetrics', notFoundResource: 'podmetrics', namespaced: true },
};

const methodNotAllowed = (): ApiError => new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});

function notFound(resource: MetricsResource, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${resource.notFoundResource}.${metricsGroup} "${name}" not found`, { name, group: metricsGroup, kind: resource.notFoundResource });
}

export function metricsAPIGroup(opts: MetricsAPIOptions): APIGroupExtension {
  const clock = opts.clock ?? realClock;
  const collector = new UsageCollector(opts.sources, clock);
  const def = (resource: string) => opts.registry.lookup('', 'v1', resource)!.definition;
  const nodes = new ObjectInfoReader(opts.store, def('nodes'));
  const pods = new ObjectInfoReader(opts.store, def('pods'));

  /** The metrics of these objects that the sources report, in the objects' order. */
  function metricsOf(resource: MetricsResource, infos: ObjectInfo[]): MetricsObject[] {
    const snapshot = collector.snapshot();
    const now = clock.now();
    const out: MetricsObject[] = [];
    for (const info of infos) {
      if (resource.namespaced) {
        const sample = snapshot.pods.get(`${info.namespace}/${info.name}`);
        if (sample) out.push(podMetrics(info, sample, now));
      } else {
        const sample = snapshot.nodes.get(info.name);
        if (sample) out.push(nodeMetrics(info, sample, now));
      }
    }
    return out;
  }

  async function get(r: APIGroupRequest, resource: MetricsResource): Promise<void> {
    const { namespace, name } = r.info;
    const reader = resource.namespaced ? pods : nodes;
    const info = await reader.get(namespace, name!);
    const [obj] = info ? metricsOf(resource, [info]) : [];
    // metrics-server names a missing pod by namespace/name.
    if (!obj) throw notFound(resource, resource.namespaced ? `${namespace}/${name}` : name!);
    write(r, resource, [obj], false);
  }

  async function list(r: APIGroupRequest, resource: MetricsResource): Promise<void> {
    const selector = parseMetricsSelector(r.query);
    const reader = resource.namespaced ? pods : nodes;
    const infos = (await reader.list(r.info.namespace)).filter(selector.matches);
    write(r, resource, metricsOf(resource, infos), true);
  }

  function write(r: APIGroupRequest, resource: MetricsResource, objects: MetricsObject[], isList: boolean): void {
    const form = negotiateOutput(r.req, r.query, isList);
    const res: ServerResponse = r.res;
    if (form.kind === 'table') return writeJSON(res, 200, metricsTable(objects, form, resource.kind));
    if (form.kind === 'metadata') {
      const partial = objects.map((o) => ({ kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${form.version}`, metadata: o.metadata }));
      return writeJSON(res, 200, isList ? { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${form.version}`, metadata: {}, items: partial } : partial[0]);
    }
    if (!isList) return writeJSON(res, 200, withType(objects[0], resource.kind));
    writeJSON(res, 200, { kind: `${resource.kind}List`, apiVersion: metricsAPIVersion, metadata: {}, items: objects });
  }

  return {
    name: metricsGroup,
    versions: [metricsVersion],
    resourceList: () => ({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: metricsAPIVersion,
      resources: Object.entries(resources).map(([name, r]) => ({ name, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'list'] })),
    }),
    async handle(r) {
      const { info } = r;
      const resource = info.version === metricsVersion ? resources[info.resource] : undefined;
      if (!resource || info.subresource !== undefined || (!resource.namespaced && info.namespace !== undefined)) throw pageNotFound();
      if (info.verb === 'get') return get(r, resource);
      if (info.verb === 'list') return list(r, resource);
      if (info.verb === 'watch') throw new ApiError(405, 'MethodNotAllowed', `watch is not supported on resources of kind "${info.resource}.${metricsGroup}"`, {});
      throw methodNotAllowed();
    },
  };
}
