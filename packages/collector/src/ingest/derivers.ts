import type { EventType } from '@lasttouch/shared';
import {
  attributeAfterCommit,
  checkoutDeriver,
  landingAttributionDeriver,
  widgetDeriver,
} from '../attribution/interactions.js';
import { landingDeriver } from '../links/landing.js';
import type { AfterCommit, Deriver } from './types.js';

/**
 * What each event type sets off, in order. Domain modules (stats aggregates, attribution,
 * links) register their derivers here; ingestion itself knows nothing of them.
 */
export const derivers: Record<EventType, Deriver[]> = {
  instance: [widgetDeriver],
  click: [widgetDeriver],
  hover: [widgetDeriver],
  dismiss: [widgetDeriver],
  landing: [landingDeriver, landingAttributionDeriver],
  checkout: [checkoutDeriver],
};

/** Run after the batch committed, in order. */
export const afterCommit: AfterCommit[] = [attributeAfterCommit];
