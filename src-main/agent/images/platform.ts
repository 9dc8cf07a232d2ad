// The node's platform in the image spec's terms (GOOS/GOARCH/variant, from Node's process.arch),
// and the choice of one manifest from an index as containerd's default platform matcher makes
// it: same os and architecture, the exact variant first, then older compatible variants.
import { endianness } from 'node:os';
import type { Descriptor, Platform } from './manifest.ts';

const goarch: Record<string, string> = {
  x64: 'amd64',
  ia32: '386',
  arm64: 'arm64',
  arm: 'arm',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/** This machine's platform: linux, GOARCH, and the arm variant (v6/v7) Node was built for. */
export function nodePlatform(): Platform {
  const arch = process.arch === 'ppc64' ? (endianness() === 'LE' ? 'ppc64le' : 'ppc64') : (goarch[process.arch] ?? process.arch);
  if (arch === 'arm64') return { os: 'linux', architecture: arch, variant: 'v8' };
  if (arch === 'arm') {
    const version = (process.config.variables as Record<string, unknown>).arm_version;
    return { os: 'linux', architecture: arch, variant: `v${typeof version === 'string' || typeof version === 'number' ? version : '7'}` };
  }
  return { os: 'linux', architecture: arch };
}

/** Variants this platform runs, best first (an armv7 CPU runs v6 and v5 images too). */
function acceptedVariants(p: Platform): string[] {
  if (p.architecture === 'arm64') return ['v8', ''];
  if (p.architecture === 'arm') {
    const n = Number((p.variant ?? 'v7').slice(1));
    return [...Array.from({ length: Math.max(0, n - 4) }, (_, i) => `v${n - i}`), ''];
  }
  return [p.variant ?? '', ''];
}

/** The best manifest of an index for a platform, or undefined when none fits. */
export function selectManifest(manifests: Descriptor[], platform: Platform): Descriptor | undefined {
  const variants = acceptedVariants(platform);
  let best: Descriptor | undefined;
  let bestRank = Infinity;
  for (const d of manifests) {
    const p = d.platform;
    if (!p || p.os !== platform.os || p.architecture !== platform.architecture) continue;
    const rank = variants.indexOf(p.variant ?? '');
    if (rank >= 0 && rank < bestRank) {
      best = d;
      bestRank = rank;
    }
  }
  return best;
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}
