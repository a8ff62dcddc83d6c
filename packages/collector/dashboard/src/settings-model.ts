import type { CreditPolicy, Settings, SettingsUpdate, WidgetKind } from '@lasttouch/shared';
import type { FieldIssue } from './api.js';

/** The settings as `GET /v1/settings` answers them: `acceptsAnyOrigin` while no origin is set. */
export type SiteSettings = Settings & { acceptsAnyOrigin?: boolean };

/** What `PUT /v1/settings` takes: each given top-level field replaces the stored one. */
export type SettingsChange = SettingsUpdate;

export const UNITS = { days: 86_400, hours: 3600, minutes: 60, seconds: 1 } as const;
export type Unit = keyof typeof UNITS;

export const KIND_LABELS: Record<WidgetKind, string> = {
  popup: 'Pop-up',
  notification: 'Notification',
  block: 'Block',
};
export const KINDS = Object.keys(KIND_LABELS) as WidgetKind[];

/** A window as typed: the amount stays text so the API, not the page, judges what is valid. */
export interface WindowInput {
  amount: string;
  unit: Unit;
}

export interface NamedWindow extends WindowInput {
  name: string;
}

export interface SettingsForm {
  /** One origin per line. */
  origins: string;
  defaultWindow: WindowInput;
  /** An empty amount: the kind uses the default window. */
  kinds: Record<WidgetKind, WindowInput>;
  channels: NamedWindow[];
  campaigns: NamedWindow[];
  creditPolicy: CreditPolicy;
  timezone: string;
}

/** Seconds in the largest unit that divides them evenly (86400 → 1 day). */
export function windowInput(seconds: number | undefined): WindowInput {
  if (seconds === undefined) return { amount: '', unit: 'days' };
  for (const [unit, size] of Object.entries(UNITS) as [Unit, number][]) {
    if (seconds % size === 0) return { amount: String(seconds / size), unit };
  }
  return { amount: String(seconds), unit: 'seconds' };
}

/**
 * Seconds of a typed window: a number, exactly as typed when it is not a whole count of seconds
 * (so the API's message names the problem). Empty is `null`.
 */
export function secondsOf(input: WindowInput): number | null {
  if (input.amount.trim() === '') return null;
  const seconds = Number(input.amount) * UNITS[input.unit];
  const whole = Math.round(seconds);
  return Math.abs(seconds - whole) < 1e-6 ? whole : seconds;
}

const named = (record: Record<string, number>): NamedWindow[] =>
  Object.entries(record).map(([name, seconds]) => ({ name, ...windowInput(seconds) }));

export function toForm(settings: SiteSettings): SettingsForm {
  const windows = settings.attributionWindows;
  return {
    origins: settings.allowedOrigins.join('\n'),
    defaultWindow: windowInput(windows.default),
    kinds: Object.fromEntries(KINDS.map((kind) => [kind, windowInput(windows.kinds[kind])])) as Record<
      WidgetKind,
      WindowInput
    >,
    channels: named(windows.channels),
    campaigns: named(windows.campaigns),
    creditPolicy: settings.creditPolicy,
    timezone: settings.timezone,
  };
}

/** Rows left entirely empty are dropped; a name without an amount is sent for the API to refuse. */
function record(rows: readonly NamedWindow[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const row of rows) {
    const name = row.name.trim();
    if (name === '' && row.amount.trim() === '') continue;
    Object.defineProperty(out, name, { value: secondsOf(row), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The settings the form describes, in the API's shape (values unchecked: the API checks them). */
export function fromForm(form: SettingsForm): Required<SettingsChange> {
  const kinds: Partial<Record<WidgetKind, number | null>> = {};
  for (const kind of KINDS) {
    if (form.kinds[kind].amount.trim() !== '') kinds[kind] = secondsOf(form.kinds[kind]);
  }
  return {
    allowedOrigins: form.origins
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== ''),
    attributionWindows: {
      default: secondsOf(form.defaultWindow),
      kinds,
      channels: record(form.channels),
      campaigns: record(form.campaigns),
    } as SiteSettings['attributionWindows'],
    creditPolicy: form.creditPolicy,
    timezone: form.timezone.trim(),
  };
}

/** JSON with object keys sorted: two settings documents compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * Only the top-level fields the merchant changed: each one sent replaces the stored one, so a
 * field left alone here is not written back over a change made meanwhile elsewhere.
 */
export function changedFields(saved: SiteSettings, form: SettingsForm): SettingsChange {
  const next = fromForm(form);
  const before: Required<SettingsChange> = {
    allowedOrigins: saved.allowedOrigins,
    attributionWindows: saved.attributionWindows,
    creditPolicy: saved.creditPolicy,
    timezone: saved.timezone,
  };
  const change: Record<string, unknown> = {};
  for (const key of Object.keys(next) as (keyof SettingsChange)[]) {
    if (canonical(next[key]) !== canonical(before[key])) change[key] = next[key];
  }
  return change as SettingsChange;
}

/** The field (its input's id) an API issue is about; `form` when none matches. */
export function fieldOfIssue(path: string, form: SettingsForm): string {
  const [top, section, name] = splitPath(path);
  if (top === 'allowedOrigins') return 'settings-origins';
  if (top === 'creditPolicy') return 'settings-policy';
  if (top === 'timezone') return 'settings-timezone';
  if (top === 'attributionWindows') {
    if (section === 'default') return 'settings-window-default';
    if (section === 'kinds')
      return name && (KINDS as string[]).includes(name) ? `settings-kind-${name}` : 'settings-kinds';
    if (section === 'channels' || section === 'campaigns') {
      const index = name === undefined ? -1 : form[section].findIndex((row) => row.name.trim() === name);
      return index >= 0 ? `settings-${section}-${index}` : `settings-${section}`;
    }
    return 'settings-window-default';
  }
  return 'form';
}

/**
 * The API joins an issue's path with dots, and a channel or campaign name may hold dots too: the
 * first two parts are the field, whatever follows is the name.
 */
function splitPath(path: string): [string, string | undefined, string | undefined] {
  const parts = path.split('.');
  const [top = '', section] = parts;
  const rest = parts.slice(2).join('.');
  return [top, section, rest === '' ? undefined : rest];
}

/** The API's issues by field id; several issues of one field are joined. */
export function issuesByField(issues: readonly FieldIssue[], form: SettingsForm): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const field = fieldOfIssue(issue.path, form);
    out[field] = out[field] ? `${out[field]}; ${issue.message}` : issue.message;
  }
  return out;
}
