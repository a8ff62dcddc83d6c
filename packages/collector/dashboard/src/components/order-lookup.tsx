import type { OrderDetail } from '@lasttouch/shared';
import { useState } from 'preact/hooks';
import { ApiFailure, type Client, getJson } from '../api.js';
import { describeInteraction } from '../describe.js';
import { dateTime, money } from '../format.js';
import { ErrorNotice } from './notice.js';

type Lookup =
  | { status: 'idle' }
  | { status: 'loading'; orderId: string }
  | { status: 'ok'; order: OrderDetail }
  | { status: 'missing'; orderId: string }
  | { status: 'error'; error: unknown };

const STATUS_WORDS: Record<OrderDetail['status'], string> = {
  placed: 'placed',
  refunded: 'refunded (not counted in orders or value)',
  cancelled: 'cancelled (not counted in orders or value)',
};

/** One order's attribution, as the collector explains it. */
export function OrderView({ order, timeZone }: { order: OrderDetail; timeZone: string }) {
  return (
    <article class="order" id="order-detail" aria-labelledby="order-title">
      <h3 id="order-title">Order {order.orderId}</h3>
      <dl class="facts">
        <div>
          <dt>Value</dt>
          <dd data-field="value">{money(order.value, order.currency)}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd data-field="status">{STATUS_WORDS[order.status]}</dd>
        </div>
        <div>
          <dt>Verified</dt>
          <dd data-field="verified">
            {order.verified ? 'Yes: confirmed by the store’s server' : 'No: reported by the browser only'}
          </dd>
        </div>
        <div>
          <dt>Placed</dt>
          <dd>{dateTime(order.ts, timeZone)}</dd>
        </div>
        <div>
          <dt>Visitor</dt>
          <dd>
            <code>{order.visitorId ?? 'unknown'}</code>
          </dd>
        </div>
      </dl>
      <h4>What earned it</h4>
      {order.credited ? (
        <p data-field="credited">
          {describeInteraction(order.credited)}, {dateTime(order.credited.ts, timeZone)}.
        </p>
      ) : (
        <p data-field="credited">
          {order.status === 'placed'
            ? 'Nothing: no qualifying interaction of this visitor fell inside its window before the order.'
            : 'Nothing: refunded and cancelled orders are credited to nobody.'}
        </p>
      )}
      {order.candidates.length > 0 && (
        <>
          <h4>Other interactions considered</h4>
          <ul class="candidates">
            {order.candidates.map((c) => (
              <li key={`${c.action}\u0000${c.id}\u0000${c.ts}`} data-field="candidate">
                {describeInteraction(c)}, {dateTime(c.ts, timeZone)}: <strong>lost</strong>, {c.lost}.
              </li>
            ))}
          </ul>
        </>
      )}
      {order.sources.length > 0 && (
        <>
          <h4>Reports of this order</h4>
          <ul class="sources">
            {order.sources.map((s) => (
              <li key={`${s.source}\u0000${s.receivedAt}\u0000${s.status}\u0000${s.value}`}>
                {s.source === 'server' ? 'Store server' : 'Browser'}: {money(s.value, s.currency)}, {s.status}, received{' '}
                {dateTime(s.receivedAt, timeZone)}
              </li>
            ))}
          </ul>
        </>
      )}
    </article>
  );
}

/** Paste an order id, read why it was (or was not) credited. */
export function OrderLookup({ client, timeZone }: { client: Client; timeZone: string }) {
  const [orderId, setOrderId] = useState('');
  const [lookup, setLookup] = useState<Lookup>({ status: 'idle' });
  const submit = async (event: Event) => {
    event.preventDefault();
    const id = orderId.trim();
    if (!id) return;
    setLookup({ status: 'loading', orderId: id });
    try {
      const order = await getJson<OrderDetail>(client, `/v1/orders/${encodeURIComponent(id)}`);
      setLookup({ status: 'ok', order });
    } catch (error) {
      setLookup(
        error instanceof ApiFailure && error.kind === 'not_found'
          ? { status: 'missing', orderId: id }
          : { status: 'error', error },
      );
    }
  };
  return (
    <div>
      <form class="inline-form" onSubmit={submit}>
        <label for="order-id">Order id</label>
        <input
          id="order-id"
          name="orderId"
          value={orderId}
          onInput={(e) => setOrderId(e.currentTarget.value)}
          required
          autocomplete="off"
          spellcheck={false}
        />
        <button type="submit">Explain</button>
      </form>
      <div aria-live="polite">
        {lookup.status === 'loading' && <p>Looking up {lookup.orderId}…</p>}
        {lookup.status === 'missing' && (
          <p class="notice" id="order-missing">
            The collector has no order “{lookup.orderId}”. Order ids are the ones the store passed to{' '}
            <code>lasttouch('checkout', …)</code> or <code>POST /v1/orders</code>.
          </p>
        )}
        {lookup.status === 'error' && <ErrorNotice error={lookup.error} />}
        {lookup.status === 'ok' && <OrderView order={lookup.order} timeZone={timeZone} />}
      </div>
    </div>
  );
}
