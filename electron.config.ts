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
    build: {
      outDir: path('./out/renderer'),
      // electron-vite leaves bundles unminified; the renderer is shipped like a web page.
      minify: true,
      rolldownOptions: { input: { index: path('./src-renderer/index.html') } },
    },
  },
});
