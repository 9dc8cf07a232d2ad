// The part of an image's config blob (the OCI image spec's "application/vnd.oci.image.config")
// that running a container needs, and the layer diffIDs that verify the unpacked layers.
import { ImageError } from './image-error.ts';

export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  /** `80/tcp`-style keys of the config's ExposedPorts. */
  exposedPorts?: string[];
  labels?: Record<string, string>;
  stopSignal?: string;
  os?: string;
  architecture?: string;
}

interface RawConfig {
  os?: string;
  architecture?: string;
  config?: {
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Env?: string[] | null;
    WorkingDir?: string;
    User?: string;
    ExposedPorts?: Record<string, unknown> | null;
    Labels?: Record<string, string> | null;
    StopSignal?: string;
  };
  rootfs?: { type?: string; diff_ids?: string[] };
}

const diffIDRe = /^sha256:[0-9a-f]{64}$/;

/** Parses a config blob; throws ImageError when it is not JSON or lacks valid diffIDs. */
export function parseImageConfig(body: Buffer): { config: ImageConfig; diffIDs: string[] } {
  let raw: RawConfig;
  try {
    raw = JSON.parse(body.toString('utf8')) as RawConfig;
  } catch (err) {
    throw new ImageError('ErrImagePull', `image config is not JSON: ${(err as Error).message}`);
  }
  const diffIDs = raw.rootfs?.diff_ids ?? [];
  if (raw.rootfs?.type !== 'layers' || !diffIDs.every((d) => diffIDRe.test(d))) {
    throw new ImageError('ErrImagePull', `image config has no valid rootfs.diff_ids: ${JSON.stringify(raw.rootfs)}`);
  }
  const c = raw.config ?? {};
  const config: ImageConfig = {};
  if (c.Entrypoint) config.entrypoint = c.Entrypoint;
  if (c.Cmd) config.cmd = c.Cmd;
  if (c.Env) config.env = c.Env;
  if (c.WorkingDir) config.workingDir = c.WorkingDir;
  if (c.User) config.user = c.User;
  if (c.ExposedPorts) config.exposedPorts = Object.keys(c.ExposedPorts);
  if (c.Labels) config.labels = c.Labels;
  if (c.StopSignal) config.stopSignal = c.StopSignal;
  if (raw.os) config.os = raw.os;
  if (raw.architecture) config.architecture = raw.architecture;
  return { config, diffIDs };
}
