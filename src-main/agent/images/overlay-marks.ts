// The on-disk marks overlayfs reads in a lower dir, which Node cannot make by itself: a
// whiteout is a character device 0:0 (hides the name in lower layers), an opaque directory has
// the xattr trusted.overlay.opaque=y (hides everything below it). Device nodes and fifos from
// layers are made the same way. Tools: coreutils' mknod (always there), and attr's setfattr or,
// on machines without the attr package, python3's os.setxattr.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** mknod PATH c|b|p [MAJOR MINOR]. */
export async function mknod(path: string, kind: 'c' | 'b' | 'p', major = 0, minor = 0): Promise<void> {
  const args = kind === 'p' ? [path, 'p'] : [path, kind, String(major), String(minor)];
  await run('mknod', args).catch((err: NodeJS.ErrnoException & { stderr?: string }) => {
    throw new Error(`mknod ${args.join(' ')}: ${err.stderr?.trim() || err.message}`);
  });
}

export function makeWhiteout(path: string): Promise<void> {
  return mknod(path, 'c', 0, 0);
}

const opaqueXattr = 'trusted.overlay.opaque';

/** Marks a directory opaque; setfattr first, python3 when the attr package is missing. */
export async function markOpaque(dir: string): Promise<void> {
  try {
    await run('setfattr', ['-n', opaqueXattr, '-v', 'y', dir]);
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw xattrError(dir, err);
  }
  const script = 'import os,sys; os.setxattr(sys.argv[1], sys.argv[2], b"y", follow_symlinks=False)';
  try {
    await run('python3', ['-c', script, dir, opaqueXattr]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`cannot mark ${dir} opaque: neither setfattr (package attr) nor python3 is installed`);
    }
    throw xattrError(dir, err);
  }
}

/** Reads the opaque mark back (tests and diagnostics). */
export async function isOpaque(dir: string): Promise<boolean> {
  const script = 'import os,sys\ntry: print(os.getxattr(sys.argv[1], sys.argv[2]).decode())\nexcept OSError: print("")';
  const { stdout } = await run('python3', ['-c', script, dir, opaqueXattr]);
  return stdout.trim() === 'y';
}

function xattrError(dir: string, err: unknown): Error {
  const e = err as Error & { stderr?: string };
  return new Error(`setting ${opaqueXattr} on ${dir}: ${e.stderr?.trim() || e.message}`);
}
