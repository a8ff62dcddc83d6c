import type { ChatStatsRow, WidgetCounts } from '../api.ts';

/** Widget counts where nothing happened: a row names only what it expects to be counted. */
export const NO_WIDGET_COUNTS: WidgetCounts = {
  instances: 0,
  clicks: 0,
  hovers: 0,
  dismisses: 0,
  orders: 0,
  value: 0,
  currency: null,
};

/** What a chat group's row says when its contacts bought nothing. */
export const NO_CHAT_ORDERS = {
  transactionsAfterContact: 0,
  turnoverAfterContact: 0,
  conversionRate: 0,
  averageOrderValueAfterContact: null,
  averageSecondsBeforePurchase: null,
  turnoverPerContact: 0,
  currency: null,
} satisfies Omit<ChatStatsRow, 'group' | 'contacts'>;
