import type { EventType } from '@lasttouch/shared';
import type { AfterCommit, Deriver } from './derive.js';

/**
 * What each event type sets off, in order. Domain modules (stats aggregates, attribution,
 * links) register their derivers here; ingestion itself knows nothing of them.
 */
export const derivers: Record<EventType, Deriver[]> = {
  instance: [],
  click: [],
  hover: [],
  dismiss: [],
  landing: [],
  checkout: [],
};

/** Run after the batch committed, in order. */
export const afterCommit: AfterCommit[] = [];
