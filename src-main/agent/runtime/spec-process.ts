// The process part of a container's spec: argv, environment and working directory, by the rules
// of the kubelet (command/args, $(VAR) expansion) and containerd's CRI (image env first, the
// container's env over it, image WorkingDir as the fallback).
import type { ImageConfig } from '../images/image-config.ts';
import { expand } from './expansion.ts';

/**
 * An env var as the kubelet resolved it (kubelet/env.ts): ConfigMap/Secret keys and the downward
 * API looked up, literal values already $(VAR)-expanded.
 */
export interface ResolvedEnvVar {
  name: string;
  value: string;
}

/** The image config fields a container's process comes from (the image store's parsed config). */
export type ImageProcessConfig = Pick<ImageConfig, 'entrypoint' | 'cmd' | 'env' | 'workingDir' | 'user'>;

/** The container's variables by name, in order; a later name replaces an earlier one in place. */
export function containerEnv(vars: readonly ResolvedEnvVar[]): Map<string, string> {
  return new Map(vars.map((v) => [v.name, v.value]));
}

/**
 * argv as Kubernetes documents it: command replaces ENTRYPOINT and drops CMD; args alone replace
 * CMD; both given, the image is ignored. command/args expand $(NAME) against the container's env.
 */
export function processArgs(
  command: readonly string[] | undefined,
  args: readonly string[] | undefined,
  image: ImageProcessConfig,
  env: ReadonlyMap<string, string>,
): string[] {
  const lookup = (n: string) => env.get(n);
  const cmd = command?.length ? command.map((c) => expand(c, lookup)) : [...(image.entrypoint ?? [])];
  const rest = args?.length ? args.map((a) => expand(a, lookup)) : command?.length ? [] : [...(image.cmd ?? [])];
  return [...cmd, ...rest];
}

/**
 * The process environment: the image's Env, then the container's variables; a container variable
 * replaces the image's one of the same name where it stands, new ones are appended (containerd's
 * replaceOrAppendEnvValues). Image entries without '=' are kept as written.
 */
export function mergeEnv(imageEnv: readonly string[] | null | undefined, env: ReadonlyMap<string, string>): string[] {
  const out = [...(imageEnv ?? [])];
  const index = new Map<string, number>();
  out.forEach((e, i) => index.set(envKey(e), i));
  for (const [name, value] of env) {
    const at = index.get(name);
    if (at === undefined) {
      index.set(name, out.length);
      out.push(`${name}=${value}`);
    } else {
      out[at] = `${name}=${value}`;
    }
  }
  return out;
}

function envKey(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

/** workingDir of the container, else the image's WorkingDir, else "/". */
export function workingDir(containerDir: string | undefined, image: ImageProcessConfig): string {
  return containerDir || image.workingDir || '/';
}
