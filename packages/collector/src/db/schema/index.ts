export * from './aggregates.js';
export * from './events.js';
export * from './identity.js';
export * from './jobs.js';
export * from './links.js';
export * from './orders.js';
export * from './sites.js';
