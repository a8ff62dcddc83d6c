import { app } from './app.js';
import type { Bindings } from './env.js';
import { drainAttributionQueue } from './jobs/cron.js';

export default { fetch: app.fetch, scheduled: drainAttributionQueue } satisfies ExportedHandler<Bindings>;
