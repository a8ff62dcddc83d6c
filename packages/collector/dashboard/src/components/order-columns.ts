import { count, money } from '../format.js';
import type { Column } from './data-table.js';

/** A table line whose row holds the orders and money of one currency. */
interface OrdersLine {
  row: { orders: number; value: number; currency: string | null };
}

const withHelp = (help: string | undefined) => (help ? { help } : {});

/** Orders of the line's currency; a group sorts by their sum over its currencies. */
export const ordersColumn = <Line extends OrdersLine>(help?: string): Column<Line> => ({
  key: 'orders',
  label: 'Orders',
  ...withHelp(help),
  numeric: true,
  summed: true,
  text: (l) => count(l.row.orders),
  value: (l) => l.row.orders,
});

/** Money of the line's currency, written in it. */
export const valueColumn = <Line extends OrdersLine>(help?: string): Column<Line> => ({
  key: 'value',
  label: 'Value',
  ...withHelp(help),
  numeric: true,
  text: (l) => money(l.row.value, l.row.currency),
  value: (l) => l.row.value,
});
