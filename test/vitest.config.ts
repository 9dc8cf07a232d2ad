// The test suite: unit tests (fast, in-process), component tests (Svelte components mounted in
// happy-dom), integration tests (real processes: the server, kubectl, the store under SIGKILL)
// and the browser e2e tests. `npm test` runs them all.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  plugins: [svelte({ compilerOptions: { runes: true } })],
  // Component tests mount Svelte's client build; everything else runs as plain Node.
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
  test: {
    include: ['test/unit/**/*.test.ts', 'test/component/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
