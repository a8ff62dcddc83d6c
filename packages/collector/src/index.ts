import { app } from './app.js';
import { drainAttributionQueue } from './attribution/scheduled.js';
import type { Bindings } from './env.js';

export default { fetch: app.fetch, scheduled: drainAttributionQueue } satisfies ExportedHandler<Bindings>;
