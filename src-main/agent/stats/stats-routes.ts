// The stats routes on the agent's endpoint, as the kubelet's server registers them:
// GET /stats/summary (the Summary API) and GET /metrics/resource (what metrics-server scrapes).
import type { ServerResponse } from 'node:http';
import type { AgentServer } from '../server/agent-server.ts';
import { resourceMetricsResponse, statsSummaryResponse, type StatsResponse } from './stats-endpoints.ts';
import type { StatsProvider } from './stats-provider.ts';

export function addStatsRoutes(server: AgentServer, stats: StatsProvider): void {
  const send = (res: ServerResponse, r: StatsResponse) => {
    res.writeHead(200, { 'Content-Type': r.contentType });
    res.end(r.body);
  };
  server.addRoute('GET', '/stats/summary', async (_req, res, _params, query) => send(res, await statsSummaryResponse(stats, query)));
  server.addRoute('GET', '/metrics/resource', async (_req, res) => send(res, await resourceMetricsResponse(stats)));
}
