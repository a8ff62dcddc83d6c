import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig(async () => {
  const migrations = await readD1Migrations(fileURLToPath(new URL('./migrations', import.meta.url)));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.jsonc' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            ADMIN_TOKEN: 'test-admin-token-0123456789abcdef0123',
            // Inputs per endpoint of the robustness properties (test/robustness-*.test.ts); the bench raises it.
            ROBUSTNESS_RUNS: process.env.ROBUSTNESS_RUNS ?? '',
            // Seeds the recount property runs beyond its fixed ones (test/attribution-recount.test.ts).
            RECOUNT_RUNS: process.env.RECOUNT_RUNS ?? '',
          },
          // A second database, for sites placed on another D1 (test/sites-databases.test.ts).
          d1Databases: { DB_2: 'lasttouch-2' },
          // Deliver work as soon as it is sent: tests wait for the queue, not for a batch timer.
          queueConsumers: {
            'lasttouch-work': {
              maxBatchSize: 100,
              maxBatchTimeout: 0,
              maxRetries: 5,
              deadLetterQueue: 'lasttouch-dead',
            },
            'lasttouch-dead': { maxBatchSize: 100, maxBatchTimeout: 0 },
          },
          // A limiter with a tiny budget, swapped in for one request at a time by the rate-limit tests.
          ratelimits: { TEST_TIGHT_LIMITER: { namespace_id: '9001', simple: { limit: 3, period: 10 } } },
        },
      }),
    ],
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      setupFiles: ['./test/apply-migrations.ts'],
      // One workerd per vitest worker for all its files (files still run one at a time in it):
      // spares about 2 s of start-up per file. Files then share that worker's D1, as sites share
      // a production database, so a test reads its own site's rows, never whole-table figures
      // it did not take itself.
      isolate: false,
      // Tests wait for the work queue; on a loaded 2-core machine a few settles take seconds.
      testTimeout: 60_000,
    },
  };
});
