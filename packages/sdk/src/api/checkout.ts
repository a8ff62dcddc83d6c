import { CURRENCY_PATTERN, LIMITS } from '@lasttouch/shared';

// Printable, at most LIMITS.idLength.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
const LABEL = /^[^\u0000-\u001f\u007f]{1,128}$/;

/** The rule, spelled out in debug output when an order is refused. */
export const CHECKOUT_RULE =
  'checkout needs {orderId: a string of 1 to 128 printable characters, value: a number of major units >= 0, currency: an ISO 4217 code such as EUR}';

/**
 * Whether the collector would accept this order. Checked by hand: no schema library reaches
 * the browser.
 *
 * @example validCheckout({ orderId: '1001', value: 12.5, currency: 'eur' }) // false
 */
export const validCheckout = ({
  orderId,
  value,
  currency,
}: {
  orderId?: unknown;
  value?: unknown;
  currency?: unknown;
}): boolean =>
  typeof orderId === 'string' &&
  LABEL.test(orderId) &&
  typeof value === 'number' &&
  value >= 0 &&
  value <= LIMITS.maxValue &&
  CURRENCY_PATTERN.test(currency as string);
