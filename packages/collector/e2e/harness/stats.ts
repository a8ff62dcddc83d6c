import type { OrderDetail, StatsEnvelope, WidgetStatsRow } from '@lasttouch/shared';
import type { CollectorApi } from './api.ts';
import { eventually } from './api.ts';
import type { Shop } from './suite.ts';

export async function widgetRows(api: CollectorApi, shop: Shop): Promise<WidgetStatsRow[]> {
  return (await api.get<StatsEnvelope<WidgetStatsRow>>('/v1/stats/widgets', shop.readKey)).rows;
}

/** Sums a widget's rows (one per currency) into one count set. */
export async function widget(api: CollectorApi, shop: Shop, id: string) {
  const rows = (await widgetRows(api, shop)).filter((r) => r.id === id);
  const sum = (key: 'instances' | 'clicks' | 'hovers' | 'dismisses' | 'orders') =>
    rows.reduce((total, row) => total + row[key], 0);
  return {
    instances: sum('instances'),
    clicks: sum('clicks'),
    hovers: sum('hovers'),
    dismisses: sum('dismisses'),
    orders: sum('orders'),
  };
}

/** Waits until the widget's counts include `expected`. */
export function widgetReaches(
  api: CollectorApi,
  shop: Shop,
  id: string,
  expected: Partial<Awaited<ReturnType<typeof widget>>>,
) {
  return eventually(
    () => widget(api, shop, id),
    (counts) => Object.entries(expected).every(([k, v]) => counts[k as keyof typeof counts] === v),
  );
}

/** Waits until the order exists and returns its detail. */
export function orderDetail(
  api: CollectorApi,
  shop: Shop,
  orderId: string,
  done: (o: OrderDetail) => boolean = () => true,
) {
  return eventually(() => api.get<OrderDetail>(`/v1/orders/${encodeURIComponent(orderId)}`, shop.readKey), done);
}
