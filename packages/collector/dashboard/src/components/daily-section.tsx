import type { DailyStatsRow, StatsEnvelope } from '@lasttouch/shared';
import { useMemo } from 'preact/hooks';
import type { Client, Query } from '../api.js';
import { count, day } from '../format.js';
import { answeredRange, datesOf } from '../range.js';
import { dailySeries, groupRows } from '../rows.js';
import { CsvButton } from './csv-button.js';
import { DailyChart } from './daily-chart.js';
import { type Column, DataTable } from './data-table.js';
import { ordersColumn, valueColumn } from './order-columns.js';

interface DayLine {
  row: DailyStatsRow;
  first: boolean;
}

/** A count that does not depend on currency: on a day's first row only. */
const counted = (
  key: 'instances' | 'clicks' | 'hovers' | 'dismisses' | 'droppedEvents',
  label: string,
  help?: string,
): Column<DayLine> => ({
  key,
  label,
  ...(help ? { help } : {}),
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
  ordersColumn(),
  valueColumn(),
  counted(
    'droppedEvents',
    'Dropped events',
    'Events browsers had to drop from a full queue (offline for long, or a burst): missing from the counts',
  ),
];

interface Props {
  daily: StatsEnvelope<DailyStatsRow>;
  client: Client;
  query: Query;
  filename: string;
}

/** The daily chart and, for keyboards and screen readers, its numbers as a table. */
export function DailySection({ daily, client, query, filename }: Props) {
  // Every day the answer counted, those without a row included.
  const series = useMemo(() => dailySeries(daily.rows, datesOf(answeredRange(daily))), [daily]);
  const groups = useMemo(
    () =>
      groupRows(daily.rows, (r) => r.date).map((g) => ({
        key: g.key,
        rows: g.rows.map((row, i) => ({ row, first: i === 0 })),
      })),
    [daily],
  );
  return (
    <figure class="daily" id="daily">
      <figcaption>
        Per day, days in {daily.timezone}
        {series.currency ? `; value in ${series.currency}` : ''}
      </figcaption>
      <DailyChart series={series} />
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
