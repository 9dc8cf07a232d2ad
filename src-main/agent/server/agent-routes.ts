// The routes of the agent's endpoint, in one place: each part of the kubelet that answers the API
// server (logs, exec/attach/port-forward, stats) registers its handlers here, after the kubelet
// has started, so the endpoint serves what the node runs.
import type { Kubelet } from '../kubelet/kubelet.ts';
import { addLogsRoute } from '../logs/logs-route.ts';
import { addStreamRoutes } from '../streams/stream-routes.ts';
import type { AgentServer } from './agent-server.ts';
import { addStatsRoutes } from '../stats/stats-routes.ts';

export function addAgentRoutes(server: AgentServer, kubelet: Kubelet): void {
  addLogsRoute(server, kubelet);
  addStreamRoutes(server, kubelet);
  if (kubelet.stats) addStatsRoutes(server, kubelet.stats);
}
