import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { eventually } from './harness/api.js';
import { useSuite } from './harness/suite.js';
import { wire } from './harness/wire.js';

interface WireEvent {
  id: string;
  t: string;
  w?: string;
  v: string;
  s: string;
  h?: number;
}

const WIDGETS = ['spring-sale', 'free-shipping', 'last-chance', 'hero'];

const cohort = (page: Page) =>
  page.evaluate(() => new Promise<string | null>((resolve) => window.lasttouch('cohort', resolve)));
const displays = (page: Page) =>
  page.evaluate(
    (ids) => ids.map((id) => getComputedStyle(document.getElementById(id)!).display),
    ['popup', 'notification', 'popup2', 'block'],
  );
const ready = (page: Page) =>
  page.waitForFunction(() => typeof window.lasttouch === 'function' && !('q' in window.lasttouch));

describe('holdout, in Chromium', () => {
  const suite = useSuite();

  it('hides every widget from held-out visitors, who send eligible only; shows them to the exposed; stable across reloads and sessions', async () => {
    const shop = await suite.newShop();
    const attrs = 'data-holdout="50" data-hover-ms="100" data-session-timeout-ms="1000"';
    const seen: Record<string, { context: BrowserContext; page: Page; sent: WireEvent[] }> = {};
    // Each new visitor is held out with a chance of one half: draw until both cohorts are there.
    for (let i = 0; i < 16 && !(seen.holdout && seen.exposed); i++) {
      const context = await suite.newVisitor();
      const sent = wire<WireEvent>(context);
      const page = await suite.open(context, shop, 'widgets.html', attrs);
      const c = (await cohort(page)) as string;
      if (seen[c]) await context.close();
      else seen[c] = { context, page, sent };
    }
    const held = seen.holdout!;
    const exposed = seen.exposed!;

    // Held out: every widget hidden by the one style rule, the far block and a late one included.
    expect(await displays(held.page)).toEqual(['none', 'none', 'none', 'none']);
    await held.page.evaluate(() => {
      const late = document.createElement('div');
      late.id = 'late';
      late.dataset.ltWidget = 'notification';
      late.dataset.ltId = 'late-offer';
      document.body.append(late);
    });
    expect(await held.page.evaluate(() => getComputedStyle(document.getElementById('late')!).display)).toBe('none');
    await held.page.evaluate(() => {
      (document.querySelector('#popup-cta') as HTMLElement).click();
      window.lasttouch('instance', { kind: 'popup', id: 'canvas-offer' });
      window.lasttouch('click', { kind: 'popup', id: 'canvas-offer' });
      window.lasttouch('flush');
    });
    await eventually(
      async () => held.sent.length,
      (n) => n >= 6,
    );
    await held.page.waitForTimeout(1200);
    expect(held.sent.map((e) => `${e.t}:${e.w}:${e.h}`).sort()).toEqual(
      [...WIDGETS, 'late-offer', 'canvas-offer'].map((w) => `eligible:${w}:1`).sort(),
    );

    // Exposed: widgets shown, eligible once per widget, then instances and clicks as usual.
    expect(await displays(exposed.page)).toEqual(['block', 'block', 'block', 'block']);
    await exposed.page.click('#popup-cta');
    await exposed.page.evaluate(() => window.lasttouch('flush'));
    await eventually(
      async () => exposed.sent.filter((e) => e.t === 'click').length,
      (n) => n === 1,
    );
    const types = exposed.sent.filter((e) => e.t !== 'hover').map((e) => `${e.t}:${e.w}:${e.h}`);
    expect(types.filter((t) => t.startsWith('eligible')).sort()).toEqual(WIDGETS.map((w) => `eligible:${w}:0`).sort());
    expect(types).toContain('instance:spring-sale:0');
    expect(types).toContain('click:spring-sale:0');

    // The same cohort on a reload, and in a new session after the timeout.
    const firstSession = held.sent[0]!.s;
    await held.page.reload();
    await ready(held.page);
    expect(await cohort(held.page)).toBe('holdout');
    await held.page.waitForTimeout(1200);
    await held.page.reload();
    await ready(held.page);
    expect(await cohort(held.page)).toBe('holdout');
    expect(await displays(held.page)).toEqual(['none', 'none', 'none', 'none']);
    await held.page.evaluate(() => window.lasttouch('flush'));
    await eventually(
      async () => held.sent.filter((e) => e.s !== firstSession).length,
      (n) => n >= WIDGETS.length,
    );
    expect(new Set(held.sent.map((e) => e.v)).size).toBe(1);
    expect(new Set(held.sent.map((e) => e.t))).toEqual(new Set(['eligible']));

    // And the collector stored the held-out visitor's eligibility.
    const rows = await eventually(
      () =>
        suite.collector.query<{ type: string }>(
          `select type from events where site_id = '${shop.siteId}' and visitor_id = '${held.sent[0]!.v}'`,
        ),
      (r) => r.length >= WIDGETS.length,
    );
    expect(new Set(rows.map((r) => r.type))).toEqual(new Set(['eligible']));
  });
});
