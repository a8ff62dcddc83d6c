export { createTracker } from './tracker.js';
export type { CheckoutInput, Tracker, TrackerOptions, WidgetInput, WidgetKind } from './types.js';
