// Name → records for the cluster zone, after the Kubernetes DNS-based service discovery
// specification (schema 1.1.0) and CoreDNS's `kubernetes` plugin:
//   <zone>                                   SOA
//   dns-version.<zone>                       TXT "1.1.0"
//   <svc>.<ns>.svc.<zone>                    A/AAAA cluster IPs | ready endpoints (headless) | CNAME (ExternalName)
//   <hostname|dashed-ip>.<svc>.<ns>.svc.<zone>  A/AAAA of that endpoint
//   _<port>._<proto>.<svc>.<ns>.svc.<zone>   SRV per named port (ClusterIP) | per ready endpoint (headless)
//   <a-b-c-d>.<ns>.pod.<zone>                A a.b.c.d (the deprecated pod records, "pods insecure")
//   d.c.b.a.in-addr.arpa, ip6.arpa           PTR for cluster IPs and headless endpoints
// A name in the zone that does not exist is NXDOMAIN; one that exists without the asked type is
// NODATA; both carry the zone's SOA so resolvers cache the negative answer for the TTL.
import { isIPv4 } from 'node:net';
import type { Answer, SoaAnswer } from 'dns-packet';
import type { Service } from 'kubernetes-types/core/v1';
import type { ClusterDirectory } from './cluster-directory.ts';
import { canonicalName, ipFromReverseName, ipv4FromDashed, labelsInZone } from './dns-names.ts';
import { reverseTargets } from './reverse-records.ts';
import { clusterIPs, isHeadless, serviceEndpoints, type DNSEndpoint } from './service-endpoints.ts';

export const SCHEMA_VERSION = '1.1.0';
/** CoreDNS's default TTL for the kubernetes plugin. */
export const DEFAULT_TTL = 5;

export interface Resolution {
  rcode: 'NOERROR' | 'NXDOMAIN';
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  /** An ExternalName's target: the server resolves it further, as a recursive server would. */
  chase?: string;
}

/** The owner name of the answers and the canonical name looked up. */
interface Asked {
  name: string;
  /** A RecordType, or what dns-packet calls the rest (ANY, UNKNOWN_65). */
  type: string;
}

export class ClusterRecords {
  readonly zone: string;
  private readonly serial = Math.floor(Date.now() / 1000);

  constructor(
    private readonly directory: ClusterDirectory,
    zone = 'cluster.local',
    private readonly ttl = DEFAULT_TTL,
  ) {
    this.zone = canonicalName(zone);
  }

  /** The answer for `name`, or undefined when the name is not this server's to answer (forward it). */
  resolve(name: string, type: string): Resolution | undefined {
    const asked = { name: name.replace(/\.$/, ''), type };
    const canonical = canonicalName(name);
    const labels = labelsInZone(canonical, this.zone);
    if (labels) return this.inZone(asked, labels);
    if (type !== 'PTR') return undefined;
    const ip = ipFromReverseName(canonical);
    const targets = ip ? reverseTargets(this.directory, this.zone, ip) : [];
    if (targets.length === 0) return undefined;
    return this.found(targets.map((t) => this.record(asked.name, 'PTR', t)));
  }

  private inZone(asked: Asked, labels: string[]): Resolution {
    const [first, second, third, fourth] = labels;
    const last = labels[labels.length - 1];
    if (labels.length === 0) return asked.type === 'SOA' ? this.found([{ ...this.soa(), name: asked.name }]) : this.nodata();
    if (labels.length === 1 && first === 'dns-version') return this.only(asked, 'TXT', [SCHEMA_VERSION]);
    if (last === 'svc') {
      if (labels.length === 1) return this.nodata();
      if (labels.length === 2) return this.namespaceName(first);
      if (labels.length === 3) return this.serviceName(asked, second, first);
      if (labels.length === 4) return this.endpointName(asked, third, second, first);
      if (labels.length === 5) return this.srvName(asked, fourth, third, first, second);
    }
    if (last === 'pod') {
      if (labels.length <= 2) return this.nodata();
      const ip = labels.length === 3 ? ipv4FromDashed(first) : undefined;
      if (ip) return this.only(asked, 'A', [ip]);
    }
    return this.nxdomain();
  }

  /**
   * <ns>.svc.<zone>: a name without records of its own, but NXDOMAIN unless the namespace has
   * services. A short name's search list passes through here (x.<ns>.svc…, then x.svc…), and
   * musl's resolver ends the search at the first NODATA: CoreDNS answers NXDOMAIN for namespaces
   * that do not exist for the same reason.
   */
  private namespaceName(namespace: string): Resolution {
    const known = this.directory.services?.().some((svc) => svc.metadata?.namespace?.toLowerCase() === namespace);
    return known ? this.nodata() : this.nxdomain();
  }

  /** <svc>.<ns>.svc.<zone> */
  private serviceName(asked: Asked, namespace: string, name: string): Resolution {
    const svc = this.directory.service(namespace, name);
    if (!svc) return this.nxdomain();
    if (svc.spec?.type === 'ExternalName') {
      const target = canonicalName(svc.spec.externalName ?? '');
      if (!target) return this.nxdomain();
      const cname = this.found([this.record(asked.name, 'CNAME', target)]);
      return asked.type === 'CNAME' ? cname : { ...cname, chase: target };
    }
    if (!isHeadless(svc)) return this.addresses(asked, clusterIPs(svc));
    const endpoints = this.endpoints(svc, namespace, name);
    // Spec 2.4.1: a headless service without ready endpoints has no name.
    if (endpoints.length === 0) return this.nxdomain();
    return this.addresses(asked, endpoints.map((ep) => ep.address));
  }

  /** <hostname|dashed-ip>.<svc>.<ns>.svc.<zone> */
  private endpointName(asked: Asked, namespace: string, name: string, label: string): Resolution {
    const svc = this.directory.service(namespace, name);
    if (!svc || svc.spec?.type === 'ExternalName') return this.nxdomain();
    const matching = this.endpoints(svc, namespace, name).filter((ep) => ep.label === label);
    if (matching.length === 0) return this.nxdomain();
    return this.addresses(asked, matching.map((ep) => ep.address));
  }

  /** _<port>._<proto>.<svc>.<ns>.svc.<zone> */
  private srvName(asked: Asked, namespace: string, name: string, portLabel: string, protoLabel: string): Resolution {
    if (!portLabel.startsWith('_') || !protoLabel.startsWith('_')) return this.nxdomain();
    const portName = portLabel.slice(1);
    const protocol = protoLabel.slice(1).toUpperCase();
    const svc = this.directory.service(namespace, name);
    if (!svc || svc.spec?.type === 'ExternalName') return this.nxdomain();
    const fqdn = `${name}.${namespace}.svc.${this.zone}`;
    const matches = (p: { name?: string; protocol?: string }): boolean =>
      !!p.name && p.name.toLowerCase() === portName && (p.protocol ?? 'TCP') === protocol;
    // Each target with its port and the addresses for the additional section.
    const targets: { target: string; port: number; addresses: string[] }[] = [];
    if (!isHeadless(svc)) {
      for (const p of svc.spec?.ports ?? []) if (matches(p)) targets.push({ target: fqdn, port: p.port, addresses: clusterIPs(svc) });
    } else {
      for (const ep of this.endpoints(svc, namespace, name)) {
        const p = ep.ports.find(matches);
        if (p?.port !== undefined) targets.push({ target: `${ep.label}.${fqdn}`, port: p.port, addresses: [ep.address] });
      }
    }
    if (targets.length === 0) return this.nxdomain();
    if (asked.type !== 'SRV') return this.nodata();
    const weight = Math.max(1, Math.floor(100 / targets.length));
    const answers = targets.map((t) => this.record(asked.name, 'SRV', { priority: 0, weight, port: t.port, target: t.target }));
    // The targets' addresses, once each (a ClusterIP service with the port under two protocols).
    const additionals = new Map<string, Answer>();
    for (const t of targets) for (const ip of t.addresses) additionals.set(`${t.target} ${ip}`, this.record(t.target, isIPv4(ip) ? 'A' : 'AAAA', ip));
    return { ...this.found(answers), additionals: [...additionals.values()] };
  }

  private endpoints(svc: Service, namespace: string, name: string): DNSEndpoint[] {
    return serviceEndpoints(svc, this.directory.endpointSlices(namespace, name));
  }

  /** A or AAAA from a list of addresses of both families; the other types are NODATA. */
  private addresses(asked: Asked, ips: string[]): Resolution {
    if (ips.length === 0) return this.nxdomain();
    if (asked.type === 'A') return this.only(asked, 'A', ips.filter((ip) => isIPv4(ip)));
    if (asked.type === 'AAAA') return this.only(asked, 'AAAA', ips.filter((ip) => !isIPv4(ip)));
    // ANY gets the addresses, the subset RFC 8482 lets a server choose.
    if (asked.type === 'ANY') return this.found(ips.map((ip) => this.record(asked.name, isIPv4(ip) ? 'A' : 'AAAA', ip)));
    return this.nodata();
  }

  /** Records of one type for a name that exists: NODATA when none, or when another type is asked. */
  private only(asked: Asked, type: 'A' | 'AAAA' | 'TXT', data: string[]): Resolution {
    if (asked.type !== type || data.length === 0) return this.nodata();
    return this.found(data.map((d) => this.record(asked.name, type, d)));
  }

  private record(name: string, type: 'A' | 'AAAA' | 'CNAME' | 'PTR' | 'TXT', data: string): Answer;
  private record(name: string, type: 'SRV', data: { priority: number; weight: number; port: number; target: string }): Answer;
  private record(name: string, type: string, data: unknown): Answer {
    return { name, type, class: 'IN', ttl: this.ttl, data } as Answer;
  }

  private soa(): SoaAnswer {
    return {
      name: this.zone, type: 'SOA', class: 'IN', ttl: this.ttl,
      data: { mname: `ns.dns.${this.zone}`, rname: `hostmaster.${this.zone}`, serial: this.serial, refresh: 7200, retry: 1800, expire: 86400, minimum: this.ttl },
    };
  }

  private found(answers: Answer[]): Resolution {
    return { rcode: 'NOERROR', answers, authorities: [], additionals: [] };
  }

  private nodata(): Resolution {
    return { rcode: 'NOERROR', answers: [], authorities: [this.soa()], additionals: [] };
  }

  private nxdomain(): Resolution {
    return { rcode: 'NXDOMAIN', answers: [], authorities: [this.soa()], additionals: [] };
  }
}
