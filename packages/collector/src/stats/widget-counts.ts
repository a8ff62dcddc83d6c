import type { IngestEvent } from '../ingest/event.js';
import { slotOf } from '../time/slots.js';
import type { Fold } from './fold.js';
import type { SessionFact } from './session-facts.js';

/** A session's first click (or hover) of a widget, as stored. */
export interface SessionFirst {
  sessionId: string;
  type: 'click' | 'hover';
  kind: string;
  widgetId: string;
  campaign: string;
  sequence: string;
  ts: number;
}

const widgetKey = (e: IngestEvent, slot: number) => [slot, e.k ?? '', e.w ?? '', e.c ?? '', e.q ?? ''];

/** Earliest value per key. */
function earliest<T>(map: Map<string, T>, key: string, value: T, ts: (v: T) => number): void {
  const current = map.get(key);
  if (current === undefined || ts(value) < ts(current)) map.set(key, value);
}

/**
 * Moves a "once per session" count to the slot of its first occurrence: +1 in the new first
 * slot, and -1 in the old one when a late event happened earlier than what was counted.
 */
function countFirst(add: (slot: number, delta: number) => void, before: number | undefined, after: number) {
  if (before === undefined) add(after, 1);
  else if (after < before) {
    add(before, -1);
    add(after, 1);
  }
}

/**
 * Folds a batch's new widget events into the widget and campaign/sequence aggregates:
 * `instances` and `dismisses` count events; `clicks` and `hovers` count sessions (in the slot of
 * the session's first one); `started` counts sessions shown a campaign or sequence (in the slot
 * of the first showing) and every showing adds its visitor to the group's sketch (`profiles`).
 * Arrival order does not matter: a late event that happened earlier moves the count.
 *
 * Returns the session facts to store.
 */
export function foldWidgetEvents(
  fold: Fold,
  events: readonly IngestEvent[],
  storedFacts: readonly SessionFact[],
  storedFirsts: readonly SessionFirst[],
): SessionFact[] {
  const factSlots = new Map(storedFacts.map((f) => [`${f.sessionId}|${f.fact}`, f.slot]));
  const newFacts = new Map<string, SessionFact>();
  const touchKey = (s: string, t: string, k: string, w: string, c: string, q: string) =>
    JSON.stringify([s, t, k, w, c, q]);
  const storedFirst = new Map(
    storedFirsts.map((f) => [touchKey(f.sessionId, f.type, f.kind, f.widgetId, f.campaign, f.sequence), f.ts]),
  );
  const batchFirst = new Map<string, IngestEvent>();
  for (const e of events) {
    const slot = slotOf(e.ts);
    switch (e.t) {
      case 'instance': {
        fold.add('widget_slots', widgetKey(e, slot), { instances: 1 });
        for (const [groupType, id, prefix] of [
          ['campaign', e.c, 'c:'],
          ['sequence', e.q, 's:'],
        ] as const) {
          if (!id) continue;
          fold.addVisitor('group_slots', [slot, groupType, id], e.v);
          earliest(newFacts, `${e.s}|${prefix}${id}`, { sessionId: e.s, fact: `${prefix}${id}`, slot }, (f) => f.slot);
        }
        break;
      }
      case 'dismiss':
        fold.add('widget_slots', widgetKey(e, slot), { dismisses: 1 });
        break;
      case 'click':
      case 'hover':
        earliest(batchFirst, touchKey(e.s, e.t, e.k ?? '', e.w ?? '', e.c ?? '', e.q ?? ''), e, (x) => x.ts);
        break;
    }
  }
  const changed: SessionFact[] = [];
  for (const [key, fact] of newFacts) {
    const before = factSlots.get(key);
    const groupType = fact.fact.startsWith('c:') ? 'campaign' : 'sequence';
    const id = fact.fact.slice(2);
    countFirst((slot, delta) => fold.add('group_slots', [slot, groupType, id], { started: delta }), before, fact.slot);
    if (before === undefined || fact.slot < before) changed.push(fact);
  }
  for (const [key, e] of batchFirst) {
    const counter = e.t === 'click' ? 'clicks' : 'hovers';
    const before = storedFirst.get(key);
    countFirst(
      (slot, delta) => fold.add('widget_slots', widgetKey(e, slot), { [counter]: delta }),
      before === undefined ? undefined : slotOf(before),
      slotOf(e.ts),
    );
  }
  return changed;
}
