// `kubelab controller-manager --kubeconfig FILE [--cluster-cidr CIDR --node-cidr-mask-size N]`:
// every control loop against the API the kubeconfig names, until SIGTERM or until the parent
// that started it goes away.
import { KubeClient } from '../client/kube-client.ts';
import { controlLoops } from './control-loops.ts';
import type { ControllerConfig } from './context.ts';
import { ControllerManager } from './manager.ts';

export async function runControllerManager(kubeconfigPath: string, config: Partial<ControllerConfig> = {}): Promise<void> {
  const client = KubeClient.fromKubeconfigFile(kubeconfigPath);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const manager = new ControllerManager({ client, factories: controlLoops, config, log });
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    manager.stop();
    client.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop).on('SIGINT', stop).on('disconnect', stop);
  await manager.start();
  process.send?.({ ready: true });
}
