/** Validators for the collector. Never imported by the SDK (a size test proves it). */
export { describeIssues, ID_PATTERN, type Validation, validateWith } from './common.js';
export { batchEnvelope, validateEvent } from './events.js';
export { createSiteSchema, linkSchema, orderSchema } from './requests.js';
export { allowedOrigins, origin, settingsSchema, settingsUpdateSchema } from './settings.js';
