// Builds the renderer alone (browser mode, `npm run build:ui`) into out/renderer. electron.config.ts
// builds the same sources for the desktop app. Relative base: the app loads it from file://.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [svelte({ compilerOptions: { runes: true } })],
  // Monaco's workers (editor and YAML language server, `?worker` imports) as ES modules, which
  // may split code; the editor view's lazy chunk holds Monaco itself (~4 MB, never at start-up).
  worker: { format: 'es' },
  // monaco-yaml's worker imports monaco-editor/esm/vs/…, a path monaco-editor 0.57's exports map
  // no longer resolves (it adds esm/vs/ itself): point it at the file.
  // monaco-worker-manager cannot start a worker with monaco-editor 0.57 (see the shim).
  resolve: {
    alias: [
      { find: /^monaco-editor\/esm\/vs\/(.*)$/, replacement: `${fileURLToPath(new URL('../node_modules/monaco-editor/esm/vs/', import.meta.url))}$1` },
      { find: /^monaco-worker-manager$/, replacement: fileURLToPath(new URL('./lib/editor/worker-manager-shim.ts', import.meta.url)) },
    ],
  },
  build: {
    chunkSizeWarningLimit: 8000,
    outDir: fileURLToPath(new URL('../out/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
  },
  logLevel: 'warn',
});
