import type { DailyStatsRow, StatsEnvelope } from '@lasttouch/shared';
import { useMemo } from 'preact/hooks';
import { ApiFailure, type Client, type Query } from '../api.js';
import { count, day, money } from '../format.js';
import { type DateRange, datesOf } from '../range.js';
import { dailySeries, groupRows } from '../rows.js';
import { CsvButton } from './csv-button.js';
import { DailyChart } from './daily-chart.js';
import { type Column, DataTable } from './data-table.js';
import { ErrorNotice } from './notice.js';

interface DayLine {
  row: DailyStatsRow;
  first: boolean;
}

const counted = (key: 'instances' | 'clicks' | 'hovers' | 'dismisses', label: string): Column<DayLine> => ({
  key,
  label,
  numeric: true,
  summed: true,
  text: (l) => (l.first ? count(l.row[key]) : ''),
  value: (l) => l.row[key],
});

export const DAILY_COLUMNS: Column<DayLine>[] = [
  { key: 'date', label: 'Day', text: (l) => day(l.row.date), value: (l) => l.row.date },
  counted('instances', 'Instances'),
  counted('clicks', 'Clicks'),
  counted('hovers', 'Hovers'),
  counted('dismisses', 'Dismisses'),
  {
    key: 'orders',
    label: 'Orders',
    numeric: true,
    summed: true,
    text: (l) => count(l.row.orders),
    value: (l) => l.row.orders,
  },
  {
    key: 'value',
    label: 'Value',
    numeric: true,
    text: (l) => money(l.row.value, l.row.currency),
    value: (l) => l.row.value,
  },
];

interface Props {
  /** The answer of `GET /v1/stats/daily` (a `StatsEnvelope<DailyStatsRow>`), or why it failed. */
  daily: unknown;
  range: DateRange;
  client: Client;
  query: Query;
  filename: string;
}

/** The daily chart and, for keyboards and screen readers, its numbers as a table. */
export function DailySection({ daily, range, client, query, filename }: Props) {
  const answer = daily && typeof daily === 'object' && 'rows' in daily ? (daily as StatsEnvelope<DailyStatsRow>) : null;
  const series = useMemo(() => (answer ? dailySeries(answer.rows, datesOf(range)) : null), [answer, range]);
  const groups = useMemo(
    () =>
      groupRows(answer?.rows ?? [], (r) => r.date).map((g) => ({
        key: g.key,
        rows: g.rows.map((row, i) => ({ row, first: i === 0 })),
      })),
    [answer],
  );
  if (!answer) {
    if (daily instanceof ApiFailure && daily.kind === 'not_found') {
      return (
        <p class="note" id="daily-missing">
          This collector does not serve daily numbers yet (<code>GET /v1/stats/daily</code> answered 404): update it to
          see the chart.
        </p>
      );
    }
    return <ErrorNotice error={daily} />;
  }
  return (
    <figure class="daily" id="daily">
      <figcaption>
        Per day, days in {answer.timezone}
        {series?.currency ? `; value in ${series.currency}` : ''}
      </figcaption>
      {series && <DailyChart series={series} />}
      <details>
        <summary>The days as a table</summary>
        <DataTable
          id="daily-table"
          caption="Daily numbers"
          columns={DAILY_COLUMNS}
          groups={groups}
          empty="No day of this range has a count yet."
          tools={
            <CsvButton client={client} path="/v1/stats/daily" query={query} filename={filename} what="daily numbers" />
          }
        />
      </details>
    </figure>
  );
}
