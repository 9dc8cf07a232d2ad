// Port-forwards kept by the main process (they outlive the view that started them): to a pod's
// port, or to a service's port, which goes to a ready pod behind it and its targetPort, as
// `kubectl port-forward svc/x 8080:80` does.
export interface PortForwardInfo {
  id: number;
  namespace: string;
  pod: string;
  /** The pod's port the forward reaches. */
  port: number;
  /** Set when it was started for a service: the service and the port asked for. */
  service?: string;
  servicePort?: string;
  localPort: number;
  address: string;
  connections: number;
  lastError?: string;
}

export interface StartPortForwardParams {
  namespace: string;
  /** Exactly one of pod and service. */
  pod?: string;
  service?: string;
  /** A pod's container port (number or name), or a service's port (number or name). */
  port: string;
  /** 0 or absent: any free port. */
  localPort?: number;
  /** Default 127.0.0.1. */
  address?: string;
}

export interface PortForwardMethods {
  startPortForward: { params: StartPortForwardParams; result: PortForwardInfo };
  listPortForwards: { params: Record<string, never>; result: PortForwardInfo[] };
  stopPortForward: { params: { id: number }; result: null };
}
