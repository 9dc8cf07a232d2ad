// What the stream handlers need of the kubelet, behind an interface so that they can be tested
// on containers the test made itself: a running container's runtime id, and a pod's network
// namespace (port-forward dials inside it).
import type { Kubelet } from '../kubelet/kubelet.ts';
import type { AttachableIO } from './attach-handler.ts';

export interface StreamLookup {
  /** The runtime id of the container while it runs (an init container's too). */
  runningContainer(namespace: string, pod: string, container: string): string | undefined;
  podNetwork(namespace: string, pod: string): { uid: string; netnsPath: string } | undefined;
  /** The container's stdio for attach (by runtime id), while the kubelet reads it. */
  containerIO?(id: string): AttachableIO | undefined;
  /** The container's spec says stdinOnce: the first client's end of stdin ends the container's. */
  stdinOnce?(namespace: string, pod: string, container: string): boolean;
  /** Resizes the terminal of a container that has one (tty and stdin). */
  resize?(id: string, size: { width: number; height: number }): Promise<void>;
}

export function kubeletLookup(kubelet: Pick<Kubelet, 'runningPod' | 'logs' | 'runtime'>): StreamLookup {
  return {
    runningContainer: (namespace, pod, container) => {
      const worker = kubelet.runningPod(namespace, pod)?.worker;
      const record = worker?.containers.get(container) ?? worker?.initContainers.get(container);
      return record?.id && !record.terminated ? record.id : undefined;
    },
    podNetwork: (namespace, pod) => {
      const worker = kubelet.runningPod(namespace, pod)?.worker;
      return worker?.sandbox ? { uid: worker.uid, netnsPath: worker.sandbox.netnsPath } : undefined;
    },
    containerIO: (id) => kubelet.logs.get(id),
    resize: (id, size) => kubelet.runtime.resizeTerminal(kubelet.logs.get(id)?.bundle ?? '', size),
    stdinOnce: (namespace, pod, container) => {
      const spec = kubelet.runningPod(namespace, pod)?.pod.spec;
      return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].find((c) => c.name === container)?.stdinOnce === true;
    },
  };
}
