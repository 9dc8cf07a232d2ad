// Types of agent-bundle.js, for the TypeScript that builds the bundle before uploading it.
export const agentBundlePath: string;
/** Builds out/agent/kubelab-agent.js (or outfile) and returns its path. */
export function buildAgentBundle(outfile?: string): Promise<string>;
