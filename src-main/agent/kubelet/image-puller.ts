// The kubelet's image step for one container: the pull policy decides, the pod's imagePullSecrets
// and the node's registry settings give the credentials, and the pull reports itself in events as
// upstream's image manager does (Pulling, Pulled, Failed), with progress while a long pull runs.
import type { Container, Pod, Secret } from 'kubernetes-types/core/v1';
import type { ImageStore, PullProgress } from '../images/image-store.ts';
import { defaultPullPolicy, shouldPull, type PullPolicy } from '../images/pull-policy.ts';
import { parseDockerConfigJSON, type DockerConfigJSON, type RegistryConfig } from '../images/registry-config.ts';

export interface ImagePullerDeps {
  images: ImageStore;
  /** The node's registries.yaml settings. */
  registryConfig?: RegistryConfig;
  secret: (namespace: string, name: string) => Promise<Secret | undefined>;
  event: (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string) => void;
  /** How often a running pull says how far it got (default 10 s; the event budget is small). */
  progressEveryMs?: number;
}

const MiB = 1024 * 1024;

/** Makes sure the container's image is on the node; throws ImageError with the kubelet's reason. */
export async function ensureContainerImage(pod: Pod, container: Container, deps: ImagePullerDeps): Promise<void> {
  const image = container.image ?? '';
  const policy = (container.imagePullPolicy as PullPolicy | undefined) ?? defaultPullPolicy(image);
  if (!shouldPull(policy, await deps.images.has(image), image)) {
    deps.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
    return;
  }
  deps.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
  const t0 = Date.now();
  const progress = new PullProgressReporter((text) => deps.event(pod, 'Normal', 'Pulling', `Pulling image "${image}": ${text}`), deps.progressEveryMs ?? 10_000);
  try {
    const { image: pulled } = await deps.images.pull(image, {
      ...(deps.registryConfig ? { registryConfig: deps.registryConfig } : {}),
      pullSecrets: await pullSecrets(pod, deps),
      onProgress: (p) => progress.update(p),
    });
    const took = `${((Date.now() - t0) / 1000).toFixed(3)}s`;
    deps.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: ${pulled.size} bytes.`);
  } catch (e) {
    deps.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${(e as Error).message}`);
    throw e;
  } finally {
    progress.stop();
  }
}

/**
 * The pod's imagePullSecrets as docker configs; missing or malformed ones are skipped with
 * upstream's warning, and the pull is tried with the rest.
 */
async function pullSecrets(pod: Pod, deps: ImagePullerDeps): Promise<DockerConfigJSON[]> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const configs: DockerConfigJSON[] = [];
  const missing: string[] = [];
  for (const { name } of pod.spec?.imagePullSecrets ?? []) {
    if (!name) continue;
    const secret = await deps.secret(namespace, name).catch(() => undefined);
    const data = secret?.data?.['.dockerconfigjson'] ?? secret?.data?.['.dockercfg'];
    try {
      if (!data) throw new Error('no docker config');
      configs.push(parseDockerConfigJSON(Buffer.from(data, 'base64').toString('utf8')));
    } catch {
      missing.push(name);
    }
  }
  if (missing.length > 0) {
    deps.event(pod, 'Warning', 'FailedToRetrieveImagePullSecret', `Unable to retrieve some image pull secrets (${missing.join(', ')}); attempting to pull the image may not succeed.`);
  }
  return configs;
}

/** Sums the layers' progress and says it at most once per interval, only while a pull runs. */
class PullProgressReporter {
  private readonly layers = new Map<string, { bytes: number; total: number; done: boolean }>();
  private readonly timer: NodeJS.Timeout;

  constructor(say: (text: string) => void, everyMs: number) {
    this.timer = setInterval(() => {
      if (this.layers.size > 0) say(this.summary());
    }, everyMs);
    this.timer.unref?.();
  }

  update(p: PullProgress): void {
    this.layers.set(p.layer, { bytes: p.bytes, total: p.total, done: p.phase !== 'downloading' });
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private summary(): string {
    const all = [...this.layers.values()];
    const bytes = all.reduce((n, l) => n + l.bytes, 0);
    const total = all.reduce((n, l) => n + l.total, 0);
    return `${all.filter((l) => l.done).length} of ${all.length} layers, ${(bytes / MiB).toFixed(1)} MiB of ${(total / MiB).toFixed(1)} MiB`;
  }
}
