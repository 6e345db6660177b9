import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources (imports of '../src/index.js' resolve to .ts); only the
// CLI test needs the build in dist/, which `npm test` runs first.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
