// The kubelet's streaming paths on the agent's endpoint: exec, attach and port-forward, with and
// without the pod's uid in the path, as the kubelet's server mux has them.
import type { Kubelet } from '../kubelet/kubelet.ts';
import type { AgentServer } from '../server/agent-server.ts';
import { attachHandler } from './attach-handler.ts';
import { execHandler } from './exec-handler.ts';
import { portForwardHandler } from './port-forward.ts';
import { kubeletLookup } from './stream-lookup.ts';

export function addStreamRoutes(server: Pick<AgentServer, 'addUpgradeRoute'>, kubelet: Kubelet): void {
  const lookup = kubeletLookup(kubelet);
  const exec = execHandler(kubelet.runtime, lookup);
  const attach = attachHandler(lookup);
  const portForward = portForwardHandler(lookup);
  for (const uid of ['', '/:uid']) {
    server.addUpgradeRoute(`/exec/:namespace/:pod${uid}/:container`, exec);
    server.addUpgradeRoute(`/attach/:namespace/:pod${uid}/:container`, attach);
    server.addUpgradeRoute(`/portForward/:namespace/:pod${uid}`, portForward);
  }
}
