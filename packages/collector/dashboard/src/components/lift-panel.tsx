import type { LiftCohort, LiftGroupBy, LiftResponse, LiftRow } from '@lasttouch/shared';
import { useMemo, useState } from 'preact/hooks';
import { type Client, getJson, type Query } from '../api.js';
import { count, EMPTY, money, percent, signedPercent } from '../format.js';
import { dataOf, useLoad } from '../load.js';
import { CsvButton } from './csv-button.js';
import { type Column, DataTable } from './data-table.js';
import { ErrorNotice } from './notice.js';

const cohort = (side: 'exposed' | 'holdout', label: string): Column<LiftRow>[] => {
  const of = (r: LiftRow): LiftCohort => r[side];
  return [
    {
      key: `${side}.visitors`,
      label: `${label} visitors`,
      numeric: true,
      text: (r) => count(of(r).visitors),
      value: (r) => of(r).visitors,
    },
    {
      key: `${side}.conversionRate`,
      label: `${label} conversion`,
      numeric: true,
      text: (r) => percent(of(r).conversionRate),
      value: (r) => of(r).conversionRate,
    },
    {
      key: `${side}.revenuePerVisitor`,
      label: `${label} revenue / visitor`,
      numeric: true,
      text: (r) => money(of(r).revenuePerVisitor, r.currency),
      value: (r) => of(r).revenuePerVisitor,
    },
  ];
};

export const LIFT_COLUMNS = (groupBy: LiftGroupBy): Column<LiftRow>[] => [
  { key: 'group', label: groupBy === 'widget' ? 'Widget' : 'Campaign', text: (r) => r.group, value: (r) => r.group },
  ...cohort('exposed', 'Shown'),
  ...cohort('holdout', 'Held out'),
  {
    key: 'lift',
    label: 'Lift',
    help: 'Relative difference of conversion rates, with its 95 % interval',
    numeric: true,
    text: (r) =>
      r.lift === null
        ? EMPTY
        : `${signedPercent(r.lift)} (${signedPercent(r.low)} to ${signedPercent(r.high)})${r.significant ? '' : ', not significant'}`,
    value: (r) => r.lift,
  },
];

interface Props {
  client: Client;
  query: Query;
  /** The range's `groupBy=campaign` answer. */
  byCampaign: LiftResponse;
  filename: (groupBy: LiftGroupBy) => string;
}

/**
 * What showing widgets changed, against visitors held out of them (contract section 7). The
 * caller renders it only when some visitors were held out in the range.
 */
export function LiftPanel({ client, query, byCampaign, filename }: Props) {
  const [groupBy, setGroupBy] = useState<Exclude<LiftGroupBy, 'site'>>('campaign');
  const [byWidget] = useLoad<LiftResponse | null>(
    () => (groupBy === 'campaign' ? Promise.resolve(null) : getJson(client, '/v1/stats/lift', { ...query, groupBy })),
    [groupBy, client, JSON.stringify(query)],
  );
  const answer = groupBy === 'campaign' ? byCampaign : dataOf(byWidget);
  const groups = useMemo(
    () => (answer?.rows ?? []).map((row) => ({ key: `${row.group}\u0000${row.currency}`, rows: [row] })),
    [answer],
  );
  return (
    <>
      {byWidget.status === 'error' && <ErrorNotice error={byWidget.error} />}
      <DataTable
        id="lift-table"
        caption={`Lift by ${groupBy}`}
        columns={LIFT_COLUMNS(groupBy)}
        groups={groups}
        empty={
          byWidget.status === 'loading'
            ? 'Loading…'
            : 'No held-out visitor was eligible for these widgets in this range.'
        }
        tools={
          <div class="tools">
            <label>
              Group by
              <select value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value as 'campaign' | 'widget')}>
                <option value="campaign">Campaign</option>
                <option value="widget">Widget</option>
              </select>
            </label>
            <CsvButton
              client={client}
              path="/v1/stats/lift"
              query={{ ...query, groupBy }}
              filename={filename(groupBy)}
              what={`lift by ${groupBy}`}
            />
          </div>
        }
      />
    </>
  );
}
