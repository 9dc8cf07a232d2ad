// Where the app's own files are at run time: next to the sources in a checkout (tsx), or next to
// the bundle in a built app (out/main).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The folder that holds package.json, assets/ and out/. */
export function appRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'assets'))) return (root = dir);
    dir = resolve(dir, '..');
  }
  throw new Error('cannot find the Kubelab app folder (package.json next to assets/)');
}

export function assetPath(...parts: string[]): string {
  return join(appRoot(), 'assets', ...parts);
}
