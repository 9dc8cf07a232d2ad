// `kubelab controller-manager --kubeconfig FILE`: every control loop against the API the
// kubeconfig names, until SIGTERM or until the parent that started it goes away.
import { KubeClient } from '../client/kube-client.ts';
import { controlLoops } from './control-loops.ts';
import { ControllerManager } from './manager.ts';

export async function runControllerManager(kubeconfigPath: string): Promise<void> {
  const client = KubeClient.fromKubeconfigFile(kubeconfigPath);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const manager = new ControllerManager({ client, factories: controlLoops, log });
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
