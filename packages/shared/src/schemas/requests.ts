import * as z from 'zod';
import { LIMITS } from '../constants.js';
import { batchEnvelope, wireEventSchema } from '../validate/events.js';

/**
 * `POST /v1/events` as the API document shows it: the envelope the collector checks first, each
 * event as `validateEvent` then checks it on its own (an invalid one is rejected by index, the
 * others are kept).
 */
export const eventBatch = batchEnvelope
  .extend({
    k: batchEnvelope.shape.k.meta({ description: 'The write key, unless sent as `Authorization: Bearer`' }),
    st: batchEnvelope.shape.st.meta({
      description: "The client's send time (UTC ms): event times are corrected by the client's clock offset",
    }),
    e: z.array(wireEventSchema).min(1).max(LIMITS.eventsPerBatch),
  })
  .meta({ id: 'EventBatch' });
