/**
 * Types and constants: all the SDK may import. Validators live in `@lasttouch/shared/validate`
 * so none of them reaches the browser bundle.
 */

export type * from './api.js';
export { CHAT_GROUPS, LIFT_GROUPS, ORDER_SOURCES, ORDER_STATUSES } from './api.js';
export * from './constants.js';
export { CURRENCY_PATTERN, currencyExponent, toMajorUnits, toMinorUnits } from './currency.js';
export type * from './wire.js';
