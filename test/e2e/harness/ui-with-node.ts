// The browser UI on a control plane with one real node (an agent running runc containers, see
// ../../integration/harness/agent-node.ts), for the views that need what only real containers
// give: logs, exec. The UI extension is handed to the node's control plane as browser mode does.
import { builtinClientConfig, type ClientConfig } from '../../../src-main/bridge/client-config.ts';
import { createUIExtension } from '../../../src-main/bridge/ui-extension.ts';
import { uiURL } from '../../../src-main/bridge/ui-url.ts';
import { ensureRendererBuilt } from '../../../src-main/start.ts';
import { startTestNode, type TestNode } from '../../integration/harness/agent-node.ts';
import { browseUi, type UiHarness } from './ui.ts';

export async function startUiWithNode(prefix: string): Promise<{ ui: UiHarness; node: TestNode }> {
  const staticDir = await ensureRendererBuilt();
  let provide!: (config: ClientConfig) => void;
  const extension = createUIExtension({ clientConfig: new Promise<ClientConfig>((resolve) => (provide = resolve)), staticDir });
  let node: TestNode;
  try {
    node = await startTestNode(prefix, { cluster: { extensions: [extension] } });
  } catch (e) {
    await extension.close();
    throw e;
  }
  const { cp } = node.cluster;
  provide(builtinClientConfig(cp));
  const server = { url: cp.url, uiUrl: uiURL(cp.url, cp.adminToken), adminToken: cp.adminToken, caPem: cp.caPem, close: () => extension.close() };
  try {
    return { ui: await browseUi(server, cp.dataDir, () => undefined), node };
  } catch (e) {
    await extension.close();
    await node.stop();
    throw e;
  }
}
