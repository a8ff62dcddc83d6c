import { type Action, LIMITS, type Settings, type WidgetKind } from '@lasttouch/shared';

/** What a window depends on: the interaction's campaign, channel (tagged links) and kind. */
export interface WindowSubject {
  campaign: string | null;
  channel: string | null;
  kind: WidgetKind | null;
}

/**
 * The attribution window of an interaction in milliseconds: the campaign override, else the
 * channel override, else the kind override, else the site default. The most specific grouping
 * wins because a merchant who sets a campaign window means it for every widget of the campaign.
 *
 * @example windowFor({ campaign: 'spring', channel: null, kind: 'popup' }, settings) // 259_200_000
 */
export function windowFor(subject: WindowSubject, settings: Settings): number {
  const w = settings.attributionWindows;
  const seconds =
    (subject.campaign !== null ? own(w.campaigns, subject.campaign) : undefined) ??
    (subject.channel !== null ? own(w.channels, subject.channel) : undefined) ??
    (subject.kind !== null ? own(w.kinds, subject.kind) : undefined) ??
    w.default;
  return seconds * 1000;
}

/** The longest window any interaction of the site can have, in milliseconds. */
export function longestWindow(settings: Settings): number {
  const w = settings.attributionWindows;
  const all = [w.default, ...Object.values(w.kinds), ...Object.values(w.channels), ...Object.values(w.campaigns)];
  return Math.max(...all.filter((s): s is number => typeof s === 'number')) * 1000;
}

/**
 * Orders older than this are settled: no event can still arrive before them (events older than
 * `LIMITS.maxAgeMs` are refused; a day's margin), so a re-attribution keeps whom they credit
 * and follows only their reports (status, value). Their touches may then be pruned.
 */
export const SETTLED_AFTER_MS = LIMITS.maxAgeMs + 86_400_000;

/** How long touches are kept: while an order that is not settled can still reach them. */
export const touchRetention = (settings: Settings): number => SETTLED_AFTER_MS + longestWindow(settings);

// Settings are JSON: a campaign named "constructor" must not find Object.prototype's.
const own = <K extends string>(record: Partial<Record<K, number>>, key: K): number | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

/** Order in which interactions at the same millisecond win: a deliberate act before a passive one. */
export const ACTION_PRIORITY: Readonly<Record<Action, number>> = {
  link_landing: 0,
  popup_click: 1,
  block_click: 2,
  notification_click: 3,
  notification_hover: 4,
};
