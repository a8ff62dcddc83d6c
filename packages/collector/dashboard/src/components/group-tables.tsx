import type { GroupStatsRow, TopActionRow } from '@lasttouch/shared';
import { useMemo } from 'preact/hooks';
import type { Client, Query } from '../api.js';
import { ACTION_LABELS } from '../describe.js';
import { count, EMPTY } from '../format.js';
import { groupKey, groupRows } from '../rows.js';
import { CsvButton } from './csv-button.js';
import { type Column, DataTable } from './data-table.js';
import { ordersColumn, valueColumn } from './order-columns.js';

interface GroupLine {
  row: GroupStatsRow;
  first: boolean;
}

const groupColumns = (label: string): Column<GroupLine>[] => [
  { key: 'id', label, text: (l) => l.row.id, value: (l) => l.row.id },
  {
    key: 'started',
    label: 'Started',
    help: 'Sessions in which one of its widgets was first shown',
    numeric: true,
    summed: true,
    text: (l) => (l.first ? count(l.row.started) : ''),
    value: (l) => l.row.started,
  },
  {
    key: 'profiles',
    label: 'Profiles',
    help: 'Distinct visitors shown one of its widgets',
    numeric: true,
    summed: true,
    text: (l) => (l.first ? count(l.row.profiles) : ''),
    value: (l) => l.row.profiles,
  },
  ordersColumn(),
  valueColumn(),
];

export const CAMPAIGN_COLUMNS = groupColumns('Campaign');
export const SEQUENCE_COLUMNS = groupColumns('Sequence');

interface GroupProps {
  kind: 'campaigns' | 'sequences';
  rows: GroupStatsRow[];
  client: Client;
  query: Query;
  filename: string;
}

/** Campaigns or sequences: how many sessions their widgets started and what they earned. */
export function GroupTable({ kind, rows, client, query, filename }: GroupProps) {
  const groups = useMemo(
    () =>
      groupRows(rows, groupKey).map((g) => ({ key: g.key, rows: g.rows.map((row, i) => ({ row, first: i === 0 })) })),
    [rows],
  );
  const caption = kind === 'campaigns' ? 'Per campaign' : 'Per sequence';
  return (
    <DataTable
      id={`${kind}-table`}
      caption={caption}
      columns={kind === 'campaigns' ? CAMPAIGN_COLUMNS : SEQUENCE_COLUMNS}
      groups={groups}
      initialSort={{ key: 'orders', direction: 'descending' }}
      continuation={(l) => !l.first}
      empty={`No ${kind === 'campaigns' ? 'campaign' : 'sequence'} in this range: widgets join one with data-lt-${kind === 'campaigns' ? 'campaign' : 'sequence'}.`}
      tools={<CsvButton client={client} path={`/v1/stats/${kind}`} query={query} filename={filename} what={kind} />}
    />
  );
}

export const TOP_ACTION_COLUMNS: Column<TopActionRow>[] = [
  { key: 'action', label: 'Interaction', text: (r) => ACTION_LABELS[r.action] ?? r.action, value: (r) => r.action },
  { key: 'channel', label: 'Channel', text: (r) => r.channel ?? EMPTY, value: (r) => r.channel },
  {
    key: 'orders',
    label: 'Orders',
    help: 'Orders it preceded inside its window',
    numeric: true,
    text: (r) => count(r.orders),
    value: (r) => r.orders,
  },
];

interface TopProps {
  rows: TopActionRow[];
  client: Client;
  query: Query;
  filename: string;
}

/** Interaction types ranked by the orders they preceded (the API's order first). */
export function TopActionsTable({ rows, client, query, filename }: TopProps) {
  const groups = useMemo(() => rows.map((row, i) => ({ key: String(i), rows: [row] })), [rows]);
  return (
    <DataTable
      id="top-actions-table"
      caption="Interactions ranked by the orders they preceded"
      columns={TOP_ACTION_COLUMNS}
      groups={groups}
      empty="No interaction preceded an order in this range."
      tools={
        <CsvButton client={client} path="/v1/stats/top-actions" query={query} filename={filename} what="top actions" />
      }
    />
  );
}
