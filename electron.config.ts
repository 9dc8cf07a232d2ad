// The desktop build (`npm run build`): main process, preload and renderer, into out/. The
// renderer half matches src-renderer/vite.config.ts, which builds it alone for browser mode.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { fileURLToPath } from 'node:url';

const path = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  main: {
    build: {
      outDir: path('./out/main'),
      rolldownOptions: { input: { index: path('./src-main/electron/main.ts') } },
    },
  },
  preload: {
    build: {
      outDir: path('./out/preload'),
      // Sandboxed preloads must be CommonJS, whatever package.json's "type" says.
      rolldownOptions: {
        input: { index: path('./src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: path('./src-renderer'),
    base: './',
    plugins: [svelte({ compilerOptions: { runes: true } })],
    // As in src-renderer/vite.config.ts: Monaco's `?worker` bundles as ES modules, and the two
    // imports of monaco-yaml's worker that monaco-editor 0.57 needs redirected.
    worker: { format: 'es' },
    resolve: {
      alias: [
        { find: /^monaco-editor\/esm\/vs\/(.*)$/, replacement: `${path('./node_modules/monaco-editor/esm/vs/')}$1` },
        { find: /^monaco-worker-manager$/, replacement: path('./src-renderer/lib/editor/worker-manager-shim.ts') },
      ],
    },
    build: {
      chunkSizeWarningLimit: 8000,
      outDir: path('./out/renderer'),
      // electron-vite leaves bundles unminified; the renderer is shipped like a web page.
      minify: true,
      rolldownOptions: { input: { index: path('./src-renderer/index.html') } },
    },
  },
});
