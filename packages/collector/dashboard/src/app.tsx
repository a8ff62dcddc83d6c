import type { StatsAnswers } from '@lasttouch/shared';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiFailure, type Client, describeFailure, getAllRows, getJson, type Query } from './api.js';
import { ChatSection } from './components/chat-table.js';
import { DailySection } from './components/daily-section.js';
import { GroupTable, TopActionsTable } from './components/group-tables.js';
import { KeyForm } from './components/key-form.js';
import { LiftPanel } from './components/lift-panel.js';
import { EmptyState, ErrorNotice } from './components/notice.js';
import { OrderLookup } from './components/order-lookup.js';
import { RangePicker } from './components/range-picker.js';
import { SettingsFormView } from './components/settings-form.js';
import { TotalsPanel } from './components/totals.js';
import { WidgetsTable } from './components/widgets-table.js';
import { day } from './format.js';
import { dataOf, useLoad } from './load.js';
import { answeredRange, type DateRange, dateIn, type Preset, presetRange } from './range.js';
import { totalsOf } from './rows.js';
import type { SiteSettings } from './settings-model.js';

/** Where the page keeps the read key: this browser only. */
export const KEY_STORAGE = 'lasttouch.dashboard.readKey';

export interface Env {
  /** The collector's base URL (the page's folder). */
  base: string;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  fetch?: typeof fetch;
  now: () => number;
}

/** Everything one range shows. */
export interface StatsData {
  widgets: StatsAnswers['widgets'];
  campaigns: StatsAnswers['campaigns'];
  sequences: StatsAnswers['sequences'];
  chat: StatsAnswers['chat'];
  topActions: StatsAnswers['top-actions'];
  daily: StatsAnswers['daily'];
  /** Lift of the whole site: no row while no visitor of the range was held out. */
  lift: StatsAnswers['lift'];
}

export async function loadStats(client: Client, query: Query): Promise<StatsData> {
  const [widgets, campaigns, sequences, chat, topActions, daily, lift] = await Promise.all([
    getAllRows<StatsAnswers['widgets']>(client, '/v1/stats/widgets', query),
    getAllRows<StatsAnswers['campaigns']>(client, '/v1/stats/campaigns', query),
    getAllRows<StatsAnswers['sequences']>(client, '/v1/stats/sequences', query),
    getAllRows<StatsAnswers['chat']>(client, '/v1/stats/chat', { ...query, groupBy: 'channel' }),
    getAllRows<StatsAnswers['top-actions']>(client, '/v1/stats/top-actions', query),
    getAllRows<StatsAnswers['daily']>(client, '/v1/stats/daily', query),
    getAllRows<StatsAnswers['lift']>(client, '/v1/stats/lift', { ...query, groupBy: 'site' }),
  ]);
  return { widgets, campaigns, sequences, chat, topActions, daily, lift };
}

function readStoredKey(storage: Env['storage']): string | null {
  try {
    return storage?.getItem(KEY_STORAGE) || null;
  } catch {
    return null;
  }
}

/** The page: the key form until a read key is known, then the dashboard. */
export function App({ env }: { env: Env }) {
  const [key, setKey] = useState(() => readStoredKey(env.storage));
  const [problem, setProblem] = useState<string | null>(null);
  const [entered, setEntered] = useState(false);
  const remember = (value: string | null) => {
    try {
      if (value === null) env.storage?.removeItem(KEY_STORAGE);
      else env.storage?.setItem(KEY_STORAGE, value);
    } catch {
      // Storage refused (private mode): the key lasts as long as the page.
    }
    setKey(value);
  };
  if (!key) {
    return (
      <KeyForm
        problem={problem}
        onKey={(value) => {
          setProblem(null);
          setEntered(true);
          remember(value);
        }}
      />
    );
  }
  return (
    <Dashboard
      env={env}
      readKey={key}
      focusOnOpen={entered}
      onForget={() => {
        setProblem(null);
        remember(null);
      }}
      onRefused={(why) => {
        setProblem(why);
        remember(null);
      }}
    />
  );
}

interface DashboardProps {
  env: Env;
  readKey: string;
  /** The key was just typed: the form is gone, so focus moves to the numbers. */
  focusOnOpen: boolean;
  onForget: () => void;
  /** The collector refused the key (401/403): ask for another, saying why. */
  onRefused: (why: string) => void;
}

const SECTIONS = [
  ['overview', 'Overview'],
  ['widgets', 'Widgets'],
  ['groups', 'Campaigns'],
  ['chats', 'Chats'],
  ['top-actions', 'Top actions'],
  ['lift', 'Lift'],
  ['orders', 'Order lookup'],
  ['settings', 'Settings'],
] as const;

function Dashboard({ env, readKey, focusOnOpen, onForget, onRefused }: DashboardProps) {
  const main = useRef<HTMLElement>(null);
  // Once, when the dashboard opens.
  useEffect(() => {
    if (focusOnOpen) main.current?.focus();
  }, []);
  const client = useMemo<Client>(
    () => ({ base: env.base, key: readKey, ...(env.fetch ? { fetch: env.fetch } : {}) }),
    [env, readKey],
  );
  const [settingsLoad, reloadSettings] = useLoad(() => getJson<SiteSettings>(client, '/v1/settings'), [client]);
  const [edited, setEdited] = useState<SiteSettings | null>(null);
  const settings = edited ?? dataOf(settingsLoad);
  // The option picked, and the range on show: picking "custom" changes nothing until its dates are applied.
  const [picked, setPicked] = useState<Preset>('30d');
  const [applied, setApplied] = useState<Exclude<Preset, 'custom'> | DateRange>('30d');
  const [verifiedOnly, setVerifiedOnly] = useState(false);
  const [version, setVersion] = useState(0);
  const settingsZone = settings?.timezone ?? null;
  // Before the settings arrive, the zone the last answer was counted in stands for the site's.
  const answeredZone = useRef<string | null>(null);
  const zone = settingsZone ?? answeredZone.current;
  const today = zone === null ? null : dateIn(zone, env.now());
  const range =
    typeof applied === 'object' ? applied : applied === '30d' || today === null ? null : presetRange(applied, today);
  // The last 30 days, today included, is the API's default range: asked for without dates, it
  // needs no settings first, so both load at once, and the answer says which days it counted.
  const query = useMemo<Query | null>(() => {
    const verified = verifiedOnly ? { verified: 'true' } : {};
    if (applied === '30d') return verified;
    return range ? { from: range.from, to: range.to, ...verified } : null;
  }, [applied, verifiedOnly, range?.from, range?.to]);
  const [statsLoad, reloadStats] = useLoad<StatsData | null>(
    () => (query ? loadStats(client, query) : Promise.resolve(null)),
    [client, query, version],
  );
  const stats = dataOf(statsLoad);
  /** The days the numbers shown were counted over, as the answer says. */
  const shown = useMemo(() => (stats ? answeredRange(stats.widgets) : null), [stats]);
  if (shown) answeredZone.current = shown.timeZone;
  const timeZone = settingsZone ?? shown?.timeZone ?? null;
  const refused = [settingsLoad, statsLoad].find(
    (l) => l.status === 'error' && l.error instanceof ApiFailure && l.error.kind === 'unauthorized',
  );
  useEffect(() => {
    if (refused?.status === 'error') onRefused(describeFailure(refused.error));
  }, [refused, onRefused]);

  const days = shown ?? range;
  const filename = (name: string) => `lasttouch-${name}${days ? `-${days.from}-to-${days.to}` : ''}.csv`;
  const totals = useMemo(
    () => (stats ? totalsOf(stats.widgets.rows, stats.chat.rows, stats.chat.totals, stats.daily.rows) : null),
    [stats],
  );
  const nothing =
    stats !== null &&
    stats.widgets.rows.length === 0 &&
    stats.chat.rows.length === 0 &&
    stats.topActions.rows.length === 0 &&
    (totals?.siteOrders ?? 0) === 0;
  const lift = stats && stats.lift.rows.length > 0 ? stats.lift : null;
  const pending = statsLoad.status === 'loading' || (stats === null && statsLoad.status !== 'error');
  const zoneWords = timeZone ?? 'the site’s time zone';

  return (
    <>
      <a class="skip" href="#main">
        Skip to the numbers
      </a>
      <header class="top">
        <div class="brand">
          <p class="title">lasttouch</p>
          <p class="muted">Site days in {zoneWords}</p>
        </div>
        <button type="button" class="secondary" onClick={onForget} id="forget-key">
          Forget key
        </button>
        <nav aria-label="Sections">
          <ul>
            {SECTIONS.filter(([id]) => id !== 'lift' || lift).map(([id, label]) => (
              <li key={id}>
                <a href={`#${id}`}>{label}</a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1} ref={main}>
        <h1 class="visually-hidden">lasttouch dashboard</h1>
        <section id="overview" aria-labelledby="overview-title" aria-busy={pending}>
          <h2 id="overview-title">Overview</h2>
          <RangePicker
            preset={picked}
            // A custom range starts from the days shown.
            custom={typeof applied === 'object' ? applied : (shown ?? (today ? presetRange('7d', today) : null))}
            verified={verifiedOnly}
            timeZone={zoneWords}
            onPreset={(preset) => {
              setPicked(preset);
              if (preset !== 'custom') setApplied(preset);
            }}
            onCustom={setApplied}
            onVerified={setVerifiedOnly}
          />
          {days && (
            <p class="range-text" id="range-text">
              {day(days.from)} – {day(days.to)} <span class="muted">(days in {shown?.timeZone ?? zoneWords})</span>
            </p>
          )}
          {pending && <p role="status">Loading…</p>}
          {statsLoad.status === 'error' && <ErrorNotice error={statsLoad.error} onRetry={reloadStats} />}
          {nothing && <EmptyState collector={env.base} />}
          {stats && totals && query && (
            <>
              <TotalsPanel totals={totals} />
              <DailySection daily={stats.daily} client={client} query={query} filename={filename('daily')} />
            </>
          )}
        </section>
        {stats && query && (
          <>
            <section id="widgets" aria-labelledby="widgets-title">
              <h2 id="widgets-title">Widgets</h2>
              <WidgetsTable rows={stats.widgets.rows} client={client} query={query} filename={filename('widgets')} />
            </section>
            <section id="groups" aria-labelledby="groups-title">
              <h2 id="groups-title">Campaigns and sequences</h2>
              <GroupTable
                kind="campaigns"
                rows={stats.campaigns.rows}
                client={client}
                query={query}
                filename={filename('campaigns')}
              />
              <GroupTable
                kind="sequences"
                rows={stats.sequences.rows}
                client={client}
                query={query}
                filename={filename('sequences')}
              />
            </section>
            <section id="chats" aria-labelledby="chats-title">
              <h2 id="chats-title">Chats</h2>
              <ChatSection
                client={client}
                query={query}
                byChannel={stats.chat}
                today={today}
                filename={(g) => filename(`chat-by-${g}`)}
              />
            </section>
            <section id="top-actions" aria-labelledby="top-actions-title">
              <h2 id="top-actions-title">Top actions</h2>
              <TopActionsTable
                rows={stats.topActions.rows}
                client={client}
                query={query}
                filename={filename('top-actions')}
              />
            </section>
            {lift && (
              <section id="lift" aria-labelledby="lift-title">
                <h2 id="lift-title">Lift against held-out visitors</h2>
                <LiftPanel client={client} query={query} site={lift} filename={(g) => filename(`lift-by-${g}`)} />
              </section>
            )}
          </>
        )}
        <section id="orders" aria-labelledby="orders-title">
          <h2 id="orders-title">Order lookup</h2>
          <OrderLookup client={client} timeZone={timeZone ?? 'UTC'} />
        </section>
        <section id="settings" aria-labelledby="settings-title">
          <h2 id="settings-title">Settings</h2>
          {settingsLoad.status === 'error' && !settings && (
            <ErrorNotice error={settingsLoad.error} onRetry={reloadSettings} />
          )}
          {!settings && settingsLoad.status === 'loading' && <p role="status">Loading the site's settings…</p>}
          {settings && (
            <SettingsFormView
              client={client}
              saved={settings}
              onSaved={(next) => {
                setEdited(next);
                // The same range is counted anew: a new zone or window re-buckets it.
                setVersion((v) => v + 1);
              }}
            />
          )}
        </section>
      </main>
    </>
  );
}
