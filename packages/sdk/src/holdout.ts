import { hash } from './util.js';

/**
 * Whether `visitor` is held out of every widget when `percent` % of visitors are: a stable
 * function of the id, so the visitor is in the same cohort on every page and visit.
 */
export const heldOut = (visitor: string, percent: number) => hash(visitor) % 100 < percent;

/**
 * The one style rule that hides every widget from a held-out visitor, present at load or added
 * later; nothing else of the page changes. Attached while the visitor is held out.
 */
export function hidingRule() {
  const style = document.createElement('style');
  style.textContent = '[data-lt-widget]{display:none!important}';
  return style;
}
