import { defineConfig } from 'vitest/config';

// The README's run command on a fresh machine (e2e/fresh-machine.test.ts). Not part of `pnpm test`: it downloads
// Node 24, pnpm and every dependency from the npm registry into an empty HOME (about 2 minutes, 5 on a busy
// two-core machine); `.ci/run` runs it after `pnpm test`.
export default defineConfig({
  test: {
    include: ['e2e/fresh-machine.test.ts'],
    environment: 'node',
    hookTimeout: 120_000,
  },
});
