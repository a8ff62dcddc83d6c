import { CURRENCY_PATTERN, LABEL_PATTERN, LIMITS } from '@lasttouch/shared';

/**
 * Checks of the JS API's input, compiled only where `__DEBUG__` is (debug tag, ESM build): the tag
 * sends what it is given and the collector, which validates every event anyway, rejects a bad one
 * on its own. Debug output says what is wrong instead of a silent rejection.
 */

/** A label as the collector accepts it (widget, order and customer ids): 1–128 printable characters. */
export const validLabel = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= LIMITS.idLength && LABEL_PATTERN.test(value);

/** The rule, spelled out in debug output when an order is refused. */
export const CHECKOUT_RULE =
  'checkout needs {orderId: a string of 1 to 128 printable characters, value: a number of major units >= 0, currency: an ISO 4217 code such as EUR}';

/**
 * Whether the collector would accept this order.
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
  validLabel(orderId) &&
  typeof value === 'number' &&
  value >= 0 &&
  value <= LIMITS.maxValue &&
  CURRENCY_PATTERN.test(currency as string);
