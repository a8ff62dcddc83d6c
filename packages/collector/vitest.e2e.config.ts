import { defineConfig } from 'vitest/config';

// The end-to-end suite runs in Node and drives a real Chromium against `wrangler dev`.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
