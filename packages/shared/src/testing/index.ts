/**
 * Helpers for tests and benchmarks of every package; dev-only (no SDK or collector source
 * imports them, as `dev-only.test.ts` checks). This entry runs anywhere, workerd included;
 * the Node-only ones are `@lasttouch/shared/testing/chromium` (Chromium and its flags) and
 * `@lasttouch/shared/testing/bench` (tables, results, the machine).
 */
export { seededRandom } from './random.ts';
export { NO_CHAT_ORDERS, NO_WIDGET_COUNTS } from './stats-rows.ts';
export { TRICKY_TIME_ZONES } from './time-zones.ts';
