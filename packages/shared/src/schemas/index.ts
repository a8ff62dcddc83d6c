/**
 * The API's answers, query strings and path parameters as zod schemas, for the collector's
 * OpenAPI document and its contract test. Like `@lasttouch/shared/validate`, never imported by
 * the SDK (the SDK's size test and `schemas.test.ts` prove it).
 */
export * from './params.js';
export { eventBatch } from './requests.js';
export * from './responses.js';
