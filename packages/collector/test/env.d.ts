import type { D1Migration } from 'cloudflare:test';
import type { Bindings } from '../src/env.js';

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {
      TEST_MIGRATIONS: D1Migration[];
      ADMIN_TOKEN: string;
      TEST_TIGHT_LIMITER: RateLimit;
      DB_2: D1Database;
    }
    interface GlobalProps {
      mainModule: typeof import('../src/index.js');
    }
  }
}
