// What the service proxy programs, in kube-proxy's terms: one entry per service port with the
// ready endpoints behind it. Built from Services and EndpointSlices/Endpoints by the agent; the
// rule writer (iptables-rules.ts) turns it into iptables-restore input.
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ProxyEndpoint {
  ip: string;
  port: number;
  /** On this node: what externalTrafficPolicy Local sends to. */
  local: boolean;
}

export interface ProxyServicePort {
  /** servicePortName(): "namespace/name:port". */
  name: string;
  protocol: Protocol;
  /** Absent for headless services (no VIP, nothing to program). */
  clusterIP?: string;
  port: number;
  nodePort?: number;
  /** status.loadBalancer.ingress IPs and spec.externalIPs: answered like the cluster IP. */
  externalIPs: string[];
  externalTrafficPolicy: 'Cluster' | 'Local';
  /** sessionAffinity ClientIP's timeout, when set. */
  affinitySeconds?: number;
  /** Ready endpoints only: a pod failing readiness leaves the rotation. */
  endpoints: ProxyEndpoint[];
}

export interface ProxyConfig {
  /** The pod range: traffic from outside it to a service is masqueraded (kube-proxy's --cluster-cidr). */
  clusterCIDR: string;
}
