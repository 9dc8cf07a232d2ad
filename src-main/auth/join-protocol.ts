// The wire contract between a joining agent and the API server, beside the Kubernetes API (k3s
// serves the same /cacerts): the CA anyone may fetch to check against a join token's hash, and
// the one call a bootstrap token may make, which turns it into the node's own certificate.
// Shared by the server and the agent bundle, so it imports nothing.

/** GET, unauthenticated: the cluster CA's PEM, the bytes a join token's hash is taken of. */
export const CACERTS_PATH = '/cacerts';
/** POST with a bootstrap token: a client certificate for the node's own key pair. */
export const NODE_CREDENTIAL_PATH = '/v1-kubelab/node-credential';

export interface NodeCredentialRequest {
  nodeName: string;
  /** The node's ECDSA P-256 public key (SPKI PEM); its private key stays on the node. */
  publicKeyPem: string;
}

export interface NodeCredentialResponse {
  /** CN=system:node:<nodeName>, O=system:nodes, signed by the cluster CA. */
  certificatePem: string;
}

export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';
