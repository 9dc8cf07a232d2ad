// A pod's volumes on the node, laid out as the kubelet does under the pod's folder
// (<podsDir>/<uid>/volumes/kubernetes.io~<plugin>/<name>): emptyDir (a folder, or tmpfs for
// medium Memory), hostPath (checked or created per its type), and configMap, secret, downwardAPI
// and projected (service-account tokens among its sources) (written with the atomic writer, and projected again on refresh so that updates
// reach running containers). Tear-down unmounts what was mounted and removes the pod's folder.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ConfigMap, Pod, Secret, ServiceAccountTokenProjection, Volume } from 'kubernetes-types/core/v1';
import { milliValue, parseQuantity } from '../../util/quantity.ts';
import { writeAtomically } from './atomic-writer.ts';
import { configMapPayload, downwardAPIPayload, projectedPayload, secretPayload } from './projections.ts';

/** How the agent reads the objects volumes project (from its cache, or the API). */
export interface VolumeSources {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  /** A token for the pod's service account, bound to the pod (token-manager.ts). */
  serviceAccountToken?(pod: Pod, projection: ServiceAccountTokenProjection): Promise<string>;
  /** When the pod's tokens are due for a refresh (the next sync should come then), if it has any. */
  tokenRefreshDue?(podUID: string): number | undefined;
  /** The node's allocatable, for resourceFieldRef without a limit. */
  allocatable: Record<string, string>;
}

export interface MountedVolume {
  name: string;
  hostPath: string;
  /** Secrets, configMaps, downwardAPI and projected volumes are always mounted read-only, as upstream. */
  readOnly: boolean;
}

const run = (file: string, args: string[]): Promise<void> =>
  new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 30_000 }, (err, _out, stderr) => (err ? reject(new Error(`${file} ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve()));
  });

function pluginOf(v: Volume): string {
  if (v.emptyDir) return 'empty-dir';
  if (v.hostPath) return 'host-path';
  if (v.configMap) return 'configmap';
  if (v.secret) return 'secret';
  if (v.downwardAPI) return 'downward-api';
  if (v.projected) return 'projected';
  throw new Error(`volume ${JSON.stringify(v.name)}: this volume type is not supported by the Kubelab agent yet`);
}

export class PodVolumes {
  constructor(private readonly podsDir: string) {}

  private volumeDir(uid: string, v: Volume): string {
    return join(this.podsDir, uid, 'volumes', `kubernetes.io~${pluginOf(v)}`, v.name);
  }

  /** Sets every volume of the pod up (again: idempotent, and refreshes projections). */
  async setUp(pod: Pod, sources: VolumeSources): Promise<MountedVolume[]> {
    const uid = pod.metadata!.uid!;
    const out: MountedVolume[] = [];
    for (const v of pod.spec?.volumes ?? []) {
      if (v.hostPath) {
        out.push({ name: v.name, hostPath: await prepareHostPath(v.hostPath.path, v.hostPath.type ?? ''), readOnly: false });
        continue;
      }
      const dir = this.volumeDir(uid, v);
      if (v.emptyDir) {
        await this.emptyDir(dir, v.emptyDir.medium, v.emptyDir.sizeLimit as string | undefined);
        out.push({ name: v.name, hostPath: dir, readOnly: false });
        continue;
      }
      await this.project(dir, pod, v, sources);
      out.push({ name: v.name, hostPath: dir, readOnly: true });
    }
    return out;
  }

  /**
   * Writes the volume's content afresh. A refresh whose content cannot be had (the API out of
   * reach: no ConfigMap, no new token) keeps what the volume holds, as the kubelet does: running containers and their
   * restarts go on with it; only a first set-up must succeed.
   */
  private async project(dir: string, pod: Pod, v: Volume, sources: VolumeSources): Promise<void> {
    let payload;
    try {
      payload = await this.payload(pod, v, sources);
    } catch (e) {
      if (existsSync(join(dir, '..data'))) return;
      throw e;
    }
    writeAtomically(dir, payload);
  }

  private async payload(pod: Pod, v: Volume, sources: VolumeSources) {
    const ns = pod.metadata!.namespace ?? 'default';
    if (v.configMap) return configMapPayload(v.configMap, await sources.configMap(ns, v.configMap.name ?? ''));
    if (v.secret) return secretPayload(v.secret, await sources.secret(ns, v.secret.secretName ?? ''));
    if (v.projected) {
      return projectedPayload(v.projected, pod, {
        configMap: (name) => sources.configMap(ns, name),
        secret: (name) => sources.secret(ns, name),
        serviceAccountToken: async (projection) => {
          if (!sources.serviceAccountToken) throw new Error(`volume ${JSON.stringify(v.name)}: no way to get service account tokens here`);
          return sources.serviceAccountToken(pod, projection);
        },
        allocatable: sources.allocatable,
      });
    }
    return downwardAPIPayload(v.downwardAPI!.items ?? [], pod, v.downwardAPI!.defaultMode, sources.allocatable);
  }

  private async emptyDir(dir: string, medium: string | undefined, sizeLimit: string | undefined): Promise<void> {
    mkdirSync(dir, { recursive: true, mode: 0o777 });
    if (medium !== 'Memory' || isMountPoint(dir)) return;
    const size = sizeLimit ? `,size=${Math.floor(milliValue(parseQuantity(sizeLimit)) / 1000)}` : '';
    await run('mount', ['-t', 'tmpfs', '-o', `mode=0777${size}`, 'tmpfs', dir]);
  }

  /** Unmounts the pod's tmpfs volumes and removes its folder; a pod already gone is fine. */
  async tearDown(uid: string): Promise<void> {
    const root = join(this.podsDir, uid);
    if (!existsSync(root)) return;
    for (const mount of mountsUnder(root).reverse()) await run('umount', [mount]);
    rmSync(root, { recursive: true, force: true });
  }
}

/** Mount points at or below dir, from /proc/self/mounts (octal escapes decoded). */
export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
}

function isMountPoint(dir: string): boolean {
  return mountsUnder(dir).includes(dir);
}

/** hostPath's type check (pkg/volume/hostpath): create what *OrCreate asks for, refuse a mismatch. */
export async function prepareHostPath(path: string, type: string): Promise<string> {
  const st = (): ReturnType<typeof statSync> | undefined => {
    try {
      return statSync(path);
    } catch {
      return undefined;
    }
  };
  const s = st();
  const fail = (what: string) => {
    throw new Error(`hostPath type check failed: ${path} is not ${what}`);
  };
  switch (type) {
    case '':
      return path;
    case 'DirectoryOrCreate':
      if (!s) mkdirSync(path, { recursive: true, mode: 0o755 });
      else if (!s.isDirectory()) fail('a directory');
      return path;
    case 'Directory':
      if (!s?.isDirectory()) fail('a directory');
      return path;
    case 'FileOrCreate':
      if (!s) {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, '', { mode: 0o644 });
      } else if (!s.isFile()) fail('a file');
      return path;
    case 'File':
      if (!s?.isFile()) fail('a file');
      return path;
    case 'Socket':
      if (!s?.isSocket()) fail('a socket');
      return path;
    case 'CharDevice':
      if (!s?.isCharacterDevice()) fail('a character device');
      return path;
    case 'BlockDevice':
      if (!s?.isBlockDevice()) fail('a block device');
      return path;
    default:
      throw new Error(`hostPath type ${JSON.stringify(type)} is not one of "", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice, BlockDevice`);
  }
}
