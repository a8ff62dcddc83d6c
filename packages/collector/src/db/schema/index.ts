export * from './events.js';
export * from './sites.js';
