import { app } from './app.js';
import type { Bindings } from './env.js';
import { runCron } from './jobs/cron.js';
import { DEAD_LETTER_QUEUE, storeDeadLetters } from './jobs/dead-letters.js';
import type { WorkMessage } from './jobs/messages.js';
import { handleWorkBatch } from './jobs/queue-handler.js';

export default {
  fetch: app.fetch,
  queue: (batch, env) =>
    batch.queue === DEAD_LETTER_QUEUE ? storeDeadLetters(batch, env) : handleWorkBatch(batch, env),
  scheduled: runCron,
} satisfies ExportedHandler<Bindings, WorkMessage>;
