import { defineConfig } from 'vitest/config';

// The end-to-end suite runs in Node and drives a real Chromium against `wrangler dev`: one
// collector for the whole run, started by the global setup (a file that stops it has its own).
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    globalSetup: ['e2e/harness/global-setup.ts'],
    environment: 'node',
    // Two files at a time: a file mostly waits on timers (the SDK's 1 s flush, the queue's 1 s
    // batch window), so two overlap well even on 2 cores (about 4 min one at a time, under 3 two
    // at a time); a third mostly slows the others (each file keeps apart by its own sites).
    maxWorkers: 2,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
