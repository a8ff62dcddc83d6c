import type { WidgetKind, WidgetStatsRow } from '@lasttouch/shared';
import { useMemo, useState } from 'preact/hooks';
import type { Client, Query } from '../api.js';
import { count, EMPTY, moneyRate, percent, ratio } from '../format.js';
import { campaignsOf, filterWidgets, NO_CAMPAIGN, type WidgetFilter, type WidgetLine, widgetLines } from '../rows.js';
import { KIND_LABELS, KINDS } from '../settings-model.js';
import { CsvButton } from './csv-button.js';
import { type Column, DataTable } from './data-table.js';
import { ordersColumn, valueColumn } from './order-columns.js';

/** Counts stand on a widget's first row; its other currencies' rows leave them blank. */
const firstOnly = (line: WidgetLine, text: string) => (line.first ? text : '');

export const WIDGET_COLUMNS: Column<WidgetLine>[] = [
  { key: 'id', label: 'Widget', text: (l) => l.row.id, value: (l) => l.row.id },
  { key: 'kind', label: 'Kind', text: (l) => KIND_LABELS[l.row.kind], value: (l) => l.row.kind },
  { key: 'campaign', label: 'Campaign', text: (l) => l.row.campaign ?? EMPTY, value: (l) => l.row.campaign },
  { key: 'sequence', label: 'Sequence', text: (l) => l.row.sequence ?? EMPTY, value: (l) => l.row.sequence },
  {
    key: 'instances',
    label: 'Instances',
    help: 'Times the widget was shown',
    numeric: true,
    summed: true,
    text: (l) => firstOnly(l, count(l.row.instances)),
    value: (l) => l.row.instances,
  },
  {
    key: 'clicks',
    label: 'Clicks',
    help: 'Sessions in which the widget was clicked',
    numeric: true,
    summed: true,
    text: (l) => firstOnly(l, count(l.row.clicks)),
    value: (l) => l.row.clicks,
  },
  {
    key: 'clickRate',
    label: 'Click rate',
    help: 'Clicks / instances',
    numeric: true,
    text: (l) => firstOnly(l, percent(l.clickRate)),
    value: (l) => l.clickRate,
  },
  {
    key: 'hovers',
    label: 'Hovers',
    numeric: true,
    summed: true,
    text: (l) => firstOnly(l, count(l.row.hovers)),
    value: (l) => l.row.hovers,
  },
  {
    key: 'dismisses',
    label: 'Dismisses',
    numeric: true,
    summed: true,
    text: (l) => firstOnly(l, count(l.row.dismisses)),
    value: (l) => l.row.dismisses,
  },
  ordersColumn('Orders credited to the widget'),
  {
    key: 'ordersPerClick',
    label: 'Orders / click',
    numeric: true,
    text: (l) => ratio(l.ordersPerClick),
    value: (l) => l.ordersPerClick,
  },
  valueColumn('Total of the credited orders'),
  {
    key: 'valuePerInstance',
    label: 'Value / instance',
    numeric: true,
    text: (l) => moneyRate(l.valuePerInstance, l.row.currency),
    value: (l) => l.valuePerInstance,
  },
];

interface Props {
  rows: WidgetStatsRow[];
  client: Client;
  query: Query;
  filename: string;
}

/** Every widget with the rates merchants compare, filterable by kind and campaign. */
export function WidgetsTable({ rows, client, query, filename }: Props) {
  const [filter, setFilter] = useState<WidgetFilter>({ kind: '', campaign: '' });
  const { campaigns, someWithout } = useMemo(() => campaignsOf(rows), [rows]);
  const groups = useMemo(() => widgetLines(filterWidgets(rows, filter)), [rows, filter]);
  const filtered = filter.kind !== '' || filter.campaign !== '';
  return (
    <DataTable
      id="widgets-table"
      caption="Per widget"
      columns={WIDGET_COLUMNS}
      groups={groups}
      initialSort={{ key: 'orders', direction: 'descending' }}
      continuation={(l) => !l.first}
      empty={
        filtered
          ? 'No widget matches these filters.'
          : 'No widget was shown in this range. Widgets are counted once the tag runs on pages with data-lt-widget markup.'
      }
      tools={
        <div class="tools">
          <label>
            Kind
            <select
              value={filter.kind}
              onChange={(e) => setFilter({ ...filter, kind: e.currentTarget.value as WidgetKind | '' })}
            >
              <option value="">All kinds</option>
              {KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {KIND_LABELS[kind]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Campaign
            <select value={filter.campaign} onChange={(e) => setFilter({ ...filter, campaign: e.currentTarget.value })}>
              <option value="">All campaigns</option>
              {campaigns.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
              {someWithout && <option value={NO_CAMPAIGN}>No campaign</option>}
            </select>
          </label>
          <CsvButton client={client} path="/v1/stats/widgets" query={query} filename={filename} what="widgets" />
        </div>
      }
    />
  );
}
