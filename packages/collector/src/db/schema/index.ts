export * from './events.js';
export * from './sites.js';
export * from './links.js';
export * from './orders.js';
export * from './aggregates.js';
