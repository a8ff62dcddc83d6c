/** Validators for the collector. Never imported by the SDK (a size test proves it). */
export { describeIssues, ID_PATTERN, type Validation, validateWith } from './common.js';
export { batchEnvelope, validateEvent } from './events.js';
export {
  agentHoursSchema,
  createSiteSchema,
  linkSchema,
  orderSchema,
  orderTime,
  rotateKeySchema,
} from './requests.js';
export { allowedOrigins, isTimeZone, origin, settingsSchema, settingsUpdateSchema, timeZone } from './settings.js';
