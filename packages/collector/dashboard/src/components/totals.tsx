import { count, EMPTY, money, percent } from '../format.js';
import type { Totals } from '../rows.js';

/** The range's headline numbers, each with what it is made of. */
export function TotalsPanel({ totals }: { totals: Totals }) {
  return (
    <dl class="totals" id="totals">
      <div>
        <dt>Instances</dt>
        <dd data-total="instances">{count(totals.instances)}</dd>
      </div>
      <div>
        <dt>Clicks</dt>
        <dd data-total="clicks">{count(totals.clicks)}</dd>
      </div>
      <div>
        <dt>Orders credited</dt>
        <dd data-total="credited">{count(totals.credited)}</dd>
        <dd class="detail">
          {count(totals.widgetOrders)} by widgets, {count(totals.chatOrders)} by chats
        </dd>
      </div>
      <div>
        <dt>Value credited</dt>
        {totals.money.length === 0 ? (
          <dd data-total="value">{EMPTY}</dd>
        ) : (
          totals.money.map((m) => (
            <dd key={m.currency} data-total="value" data-currency={m.currency}>
              {money(m.widgets + m.chats, m.currency)}
            </dd>
          ))
        )}
      </div>
      <div>
        <dt>Share of the site's orders</dt>
        <dd data-total="orderShare">{percent(totals.orderShare)}</dd>
        <dd class="detail">
          {totals.siteOrders === null ? 'site total unknown' : `of ${count(totals.siteOrders)} orders`}
        </dd>
      </div>
      <div>
        <dt>Share of the site's turnover</dt>
        {totals.money.length === 0 ? (
          <dd data-total="turnoverShare">{EMPTY}</dd>
        ) : (
          totals.money.map((m) => (
            <dd key={m.currency} data-total="turnoverShare" data-currency={m.currency}>
              {percent(m.share)} <span class="detail">of {money(m.site, m.currency)}</span>
            </dd>
          ))
        )}
      </div>
      <div class={totals.dropped > 0 ? 'warn' : undefined}>
        <dt>Events dropped by browsers</dt>
        <dd data-total="dropped">{count(totals.dropped)}</dd>
        <dd class="detail">
          {totals.dropped > 0 ? 'from full queues: missing from these counts' : 'none: every event arrived'}
        </dd>
      </div>
    </dl>
  );
}
