// Port-forwards from the UI: one PortForwards for the whole main process (so a forward outlives
// the view and the window), a service resolved to a pod and port when the forward starts.
import type { Pod, Service } from 'kubernetes-types/core/v1';
import { isIP } from 'node:net';
import { gvr } from '../../client/resources.ts';
import type { PortForwardInfo, PortForwardMethods, StartPortForwardParams } from '../api/port-forwards.ts';
import * as check from '../check.ts';
import { podPort, readyPodOf, serviceTargetPort } from '../forward-target.ts';
import type { MethodTable } from '../method.ts';
import { PortForwards, type PortForward } from '../port-forwards.ts';
import { ServiceError } from '../service-error.ts';
import type { ServiceDeps } from './deps.ts';

const PORT_NAME = /^(\d{1,5}|[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?)$/;

export function portForwardServices({ client }: ServiceDeps): MethodTable<keyof PortForwardMethods> {
  const forwards = new PortForwards(client);
  // What each forward was started for, when it was a service.
  const services = new Map<number, { service: string; servicePort: string }>();
  const info = (f: PortForward): PortForwardInfo => ({ ...f, ...services.get(f.id) });
  return {
    startPortForward: {
      check: checkStart,
      async run(p) {
        const { pod, port, via } = await resolve(p);
        const f = await forwards.start({ namespace: p.namespace, pod, port, localPort: p.localPort ?? 0, address: p.address ?? '127.0.0.1' }).catch((e: Error) => {
          throw new ServiceError(`cannot listen on ${p.address ?? '127.0.0.1'}:${p.localPort ?? 0}: ${e.message}`, 409);
        });
        if (via) services.set(f.id, via);
        return info(f);
      },
    },
    listPortForwards: {
      check: (value) => (check.params(value ?? {}, 'listPortForwards'), {}),
      async run() {
        return forwards.list().map(info);
      },
    },
    stopPortForward: {
      check(value) {
        const p = check.params(value, 'stopPortForward');
        return { id: check.integer(p, 'id', 'stopPortForward', 1, Number.MAX_SAFE_INTEGER) };
      },
      async run({ id }) {
        if (!(await forwards.stop(id))) throw new ServiceError(`no port-forward ${id} (it was stopped already)`, 404);
        services.delete(id);
        return null;
      },
    },
  };

  async function resolve(p: StartPortForwardParams): Promise<{ pod: string; port: number; via?: { service: string; servicePort: string } }> {
    if (p.pod) return { pod: p.pod, port: podPort(await client.get<Pod>(gvr.pods, p.namespace, p.pod), p.port) };
    const service = await client.get<Service>(gvr.services, p.namespace, p.service!);
    const pods = (await client.list<Pod>(gvr.pods, { namespace: p.namespace })).items;
    const pod = readyPodOf(service, pods);
    return { pod: pod.metadata!.name!, port: serviceTargetPort(service, pod, p.port), via: { service: p.service!, servicePort: p.port } };
  }
}

function checkStart(value: unknown): StartPortForwardParams {
  const m = 'startPortForward';
  const p = check.params(value, m);
  const namespace = check.name(p, 'namespace', m);
  const pod = check.optionalName(p, 'pod', m);
  const service = check.optionalName(p, 'service', m);
  if ((pod === undefined) === (service === undefined)) throw new ServiceError(`${m}: give a pod or a service (one of them)`, 400);
  const port = typeof p.port === 'number' ? String(p.port) : check.string(p, 'port', m, 20).trim();
  if (!PORT_NAME.test(port)) throw new ServiceError(`${m}: port must be a number or a port name`, 400);
  const localPort = check.optionalInteger(p, 'localPort', m, 0, 65535);
  const address = check.optionalString(p, 'address', m, 64)?.trim() || undefined;
  if (address !== undefined && address !== 'localhost' && !isIP(address)) throw new ServiceError(`${m}: address must be an IP address (127.0.0.1, 0.0.0.0, ::1…)`, 400);
  return { namespace, port, ...(pod ? { pod } : { service }), ...(localPort !== undefined ? { localPort } : {}), ...(address ? { address } : {}) };
}
