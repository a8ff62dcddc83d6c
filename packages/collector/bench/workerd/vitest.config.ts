/**
 * The workerd benches, run by the vitest plugin in workerd like the collector's tests (same
 * bindings; queue batches delivered as soon as they are sent, no one-second batch window):
 * started by bench/jobs.ts. Nothing here is a test of `pnpm test`.
 */
import { join } from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

const root = (path: string) => join(import.meta.dirname, '../..', path);

export default defineConfig(async () => ({
  root: root(''),
  plugins: [
    cloudflareTest({
      wrangler: { configPath: root('wrangler.jsonc') },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(root('migrations')),
          ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef0123',
          // Orders of the settings bench (bench/jobs.ts passes a smaller number in quick runs).
          BENCH_ORDERS: process.env.BENCH_ORDERS ?? '',
        },
        d1Databases: { DB_2: 'lasttouch-2' },
        queueConsumers: {
          'lasttouch-work': { maxBatchSize: 100, maxBatchTimeout: 0, maxRetries: 5, deadLetterQueue: 'lasttouch-dead' },
          'lasttouch-dead': { maxBatchSize: 100, maxBatchTimeout: 0 },
        },
      },
    }),
  ],
  test: {
    include: ['bench/workerd/*.bench-test.ts'],
    setupFiles: ['./test/apply-migrations.ts'],
    testTimeout: 1_800_000,
  },
}));
