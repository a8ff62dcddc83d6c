import type { ChatGroupBy, ChatStatsResponse, ChatStatsRow } from '@lasttouch/shared';
import { useMemo, useState } from 'preact/hooks';
import { type Client, getAllRows, type Query } from '../api.js';
import { CHAT_GROUP_LABELS } from '../describe.js';
import { count, duration, money, percent } from '../format.js';
import { dataOf, useLoad } from '../load.js';
import { chatKey, groupRows } from '../rows.js';
import { AgentHoursForm } from './agent-hours.js';
import { CsvButton } from './csv-button.js';
import { type Column, DataTable } from './data-table.js';
import { ErrorNotice } from './notice.js';

interface ChatLine {
  row: ChatStatsRow;
  first: boolean;
}

export function chatColumns(groupBy: ChatGroupBy): Column<ChatLine>[] {
  const columns: Column<ChatLine>[] = [
    {
      key: 'group',
      label: CHAT_GROUP_LABELS[groupBy],
      text: (l) => (l.row.group === '' ? '(no agent)' : l.row.group),
      value: (l) => l.row.group,
    },
    {
      key: 'contacts',
      label: 'Contacts',
      help: 'Conversations with a tagged link issued in the range',
      numeric: true,
      summed: true,
      text: (l) => (l.first ? count(l.row.contacts) : ''),
      value: (l) => l.row.contacts,
    },
    {
      key: 'transactionsAfterContact',
      label: 'Orders',
      help: 'Orders credited to a tagged link of the group',
      numeric: true,
      summed: true,
      text: (l) => count(l.row.transactionsAfterContact),
      value: (l) => l.row.transactionsAfterContact,
    },
    {
      key: 'conversionRate',
      label: 'Conversion',
      help: 'Orders / contacts',
      numeric: true,
      text: (l) => percent(l.row.conversionRate),
      value: (l) => l.row.conversionRate,
    },
    {
      key: 'turnoverAfterContact',
      label: 'Turnover',
      numeric: true,
      text: (l) => money(l.row.turnoverAfterContact, l.row.currency),
      value: (l) => l.row.turnoverAfterContact,
    },
    {
      key: 'averageOrderValueAfterContact',
      label: 'Average order',
      numeric: true,
      text: (l) => money(l.row.averageOrderValueAfterContact, l.row.currency),
      value: (l) => l.row.averageOrderValueAfterContact,
    },
    {
      key: 'averageSecondsBeforePurchase',
      label: 'Time to order',
      help: "From the conversation's first tagged link to the order (average)",
      numeric: true,
      text: (l) => duration(l.row.averageSecondsBeforePurchase),
      value: (l) => l.row.averageSecondsBeforePurchase,
    },
    {
      key: 'turnoverPerContact',
      label: 'Turnover / contact',
      numeric: true,
      text: (l) => money(l.row.turnoverPerContact, l.row.currency),
      value: (l) => l.row.turnoverPerContact,
    },
  ];
  if (groupBy === 'agent') {
    columns.push({
      key: 'turnoverPerHour',
      label: 'Turnover / hour',
      help: 'Turnover per production hour of the agent (– until hours are entered below)',
      numeric: true,
      text: (l) => money(l.row.turnoverPerHour ?? null, l.row.currency),
      value: (l) => l.row.turnoverPerHour ?? null,
    });
  }
  return columns;
}

interface Props {
  client: Client;
  query: Query;
  /** The range's `groupBy=channel` answer, already loaded for the totals. */
  byChannel: ChatStatsResponse;
  /** Today in the site's time zone (null until known): the default day of agents' hours. */
  today: string | null;
  filename: (groupBy: ChatGroupBy) => string;
}

const visits = (n: number) => `${count(n)} visit${n === 1 ? '' : 's'}`;

/** Landings through tagged links that earned nothing, and why. */
function LandingNotes({ answer }: { answer: ChatStatsResponse }) {
  return (
    <>
      {answer.invalidLandings > 0 && (
        <p class="note" id="invalid-landings">
          {visits(answer.invalidLandings)} came through a tagged link that was altered, forged, of another site or no
          longer known; they earned nothing.
        </p>
      )}
      {answer.expiredLandings > 0 && (
        <p class="note" id="expired-landings">
          {visits(answer.expiredLandings)} came through a genuine tagged link older than 400 days: expired, they earned
          nothing.
        </p>
      )}
    </>
  );
}

/** What chats earned, by channel, agent or conversation; agents' hours entered beside them. */
export function ChatSection({ client, query, byChannel, today, filename }: Props) {
  const [groupBy, setGroupBy] = useState<ChatGroupBy>('channel');
  const [other, reloadOther] = useLoad<ChatStatsResponse | null>(
    () =>
      groupBy === 'channel'
        ? Promise.resolve(null)
        : getAllRows<ChatStatsResponse>(client, '/v1/stats/chat', { ...query, groupBy }),
    [groupBy, client, JSON.stringify(query)],
  );
  const answer = groupBy === 'channel' ? byChannel : dataOf(other);
  const columns = useMemo(() => chatColumns(groupBy), [groupBy]);
  const agents = useMemo(
    () => (answer?.groupBy === 'agent' ? [...new Set(answer.rows.map((r) => r.group).filter((g) => g !== ''))] : []),
    [answer],
  );
  const groups = useMemo(
    () =>
      groupRows(answer?.rows ?? [], chatKey).map((g) => ({
        key: g.key,
        rows: g.rows.map((row, i) => ({ row, first: i === 0 })),
      })),
    [answer],
  );
  return (
    <>
      {other.status === 'error' && groupBy !== 'channel' && <ErrorNotice error={other.error} />}
      <DataTable
        id="chat-table"
        caption={`Chats by ${CHAT_GROUP_LABELS[groupBy].toLowerCase()}`}
        columns={columns}
        groups={groups}
        initialSort={{ key: 'turnoverAfterContact', direction: 'descending' }}
        continuation={(l) => !l.first}
        empty={
          other.status === 'loading' && groupBy !== 'channel'
            ? 'Loading…'
            : 'No tagged link was issued in this range. Agents create them with POST /v1/links (agent key) or the /agent page.'
        }
        tools={
          <div class="tools">
            <label>
              Group by
              <select value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value as ChatGroupBy)}>
                {(Object.keys(CHAT_GROUP_LABELS) as ChatGroupBy[]).map((g) => (
                  <option key={g} value={g}>
                    {CHAT_GROUP_LABELS[g]}
                  </option>
                ))}
              </select>
            </label>
            <CsvButton
              client={client}
              path="/v1/stats/chat"
              query={{ ...query, groupBy }}
              filename={filename(groupBy)}
              what={`chats by ${groupBy}`}
            />
          </div>
        }
      />
      {answer && <LandingNotes answer={answer} />}
      {/* Once the agents are known: the first one is the form's suggestion. */}
      {groupBy === 'agent' && answer?.groupBy === 'agent' && today && (
        <AgentHoursForm client={client} agents={agents} today={today} onSaved={reloadOther} />
      )}
    </>
  );
}
