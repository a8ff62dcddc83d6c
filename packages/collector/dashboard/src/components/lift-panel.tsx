import type { LiftCohort, LiftGroupBy, LiftResponse, LiftRow } from '@lasttouch/shared';
import { useMemo, useState } from 'preact/hooks';
import { type Client, getAllRows, type Query } from '../api.js';
import { count, EMPTY, money, percent, signedPercent } from '../format.js';
import { dataOf, useLoad } from '../load.js';
import { groupRows } from '../rows.js';
import { CsvButton } from './csv-button.js';
import { type Column, DataTable } from './data-table.js';
import { ErrorNotice } from './notice.js';

interface LiftLine {
  row: LiftRow;
  /** The group's first row: the one that carries visitors, rates and lift. */
  first: boolean;
}

const cohort = (side: 'exposed' | 'holdout', label: string): Column<LiftLine>[] => {
  const of = (l: LiftLine): LiftCohort => l.row[side];
  return [
    {
      key: `${side}.visitors`,
      label: `${label} visitors`,
      numeric: true,
      summed: true,
      text: (l) => (l.first ? count(of(l).visitors) : ''),
      value: (l) => of(l).visitors,
    },
    {
      key: `${side}.conversionRate`,
      label: `${label} conversion`,
      numeric: true,
      text: (l) => (l.first ? percent(of(l).conversionRate) : ''),
      value: (l) => of(l).conversionRate,
    },
    {
      key: `${side}.revenuePerVisitor`,
      label: `${label} revenue / visitor`,
      numeric: true,
      text: (l) => money(of(l).revenuePerVisitor, l.row.currency),
      value: (l) => of(l).revenuePerVisitor,
    },
  ];
};

/** "+51.5% (-42% to +310%), not significant". */
export const liftText = (row: LiftRow): string =>
  row.lift === null
    ? EMPTY
    : `${signedPercent(row.lift)} (${signedPercent(row.low)} to ${signedPercent(row.high)})${row.significant ? '' : ', not significant'}`;

export const LIFT_COLUMNS = (groupBy: Exclude<LiftGroupBy, 'site'>): Column<LiftLine>[] => [
  {
    key: 'group',
    label: groupBy === 'widget' ? 'Widget' : 'Campaign',
    text: (l) => l.row.group,
    value: (l) => l.row.group,
  },
  ...cohort('exposed', 'Shown'),
  ...cohort('holdout', 'Held out'),
  {
    key: 'lift',
    label: 'Lift',
    help: 'Relative difference of conversion rates, with its 95 % interval',
    numeric: true,
    text: (l) => (l.first ? liftText(l.row) : ''),
    value: (l) => l.row.lift,
  },
];

/** The site's lift in a sentence a merchant can act on. */
function SiteLift({ row }: { row: LiftRow }) {
  const { exposed, holdout } = row;
  return (
    <p class="lift-summary" id="lift-site">
      Visitors shown widgets converted at {percent(exposed.conversionRate)} ({count(exposed.visitors)} visitors), those
      held out at {percent(holdout.conversionRate)} ({count(holdout.visitors)}): lift <strong>{liftText(row)}</strong>.
      {row.lift !== null && !row.significant && ' More visitors are needed before the difference can be trusted.'}
    </p>
  );
}

interface Props {
  client: Client;
  query: Query;
  /** The range's `groupBy=site` answer, with at least one row. */
  site: LiftResponse;
  filename: (groupBy: LiftGroupBy) => string;
}

/**
 * What showing widgets changed, against visitors held out of them (contract section 7): the
 * site's lift, then per campaign or widget. The caller renders it only when some visitors were
 * held out in the range.
 */
export function LiftPanel({ client, query, site, filename }: Props) {
  const [groupBy, setGroupBy] = useState<Exclude<LiftGroupBy, 'site'>>('campaign');
  const [load] = useLoad<LiftResponse>(
    () => getAllRows(client, '/v1/stats/lift', { ...query, groupBy }),
    [groupBy, client, JSON.stringify(query)],
  );
  const answer = dataOf(load);
  const groups = useMemo(
    () =>
      groupRows(answer?.rows ?? [], (r) => r.group).map((g) => ({
        key: g.key,
        rows: g.rows.map((row, i) => ({ row, first: i === 0 })),
      })),
    [answer],
  );
  const columns = useMemo(() => LIFT_COLUMNS(groupBy), [groupBy]);
  return (
    <>
      {site.rows[0] && <SiteLift row={site.rows[0]} />}
      {load.status === 'error' && <ErrorNotice error={load.error} />}
      <DataTable
        id="lift-table"
        caption={`Lift by ${groupBy}`}
        columns={columns}
        groups={groups}
        continuation={(l) => !l.first}
        empty={
          load.status === 'loading'
            ? 'Loading…'
            : `No held-out visitor was eligible for a ${groupBy === 'widget' ? 'widget' : 'campaign’s widgets'} in this range.`
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
