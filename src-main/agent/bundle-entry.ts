// The entry of the bundled agent (out/agent/kubelab-agent.js): `node kubelab-agent.js --kubeconfig
// FILE ...`. Errors are one line on stderr; bad flags exit with 2, anything else with 1.
import { AgentUsageError, agentMain } from './main.ts';

agentMain(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`kubelab-agent: ${(e as Error).message}\n`);
  process.exit(e instanceof AgentUsageError ? 2 : 1);
});
