/**
 * Benchmarks 2 and 6 in headless Chromium (`@lasttouch/shared/testing/chromium`, the one launch of every suite):
 * - main-thread cost: script evaluation + init of the tag on a page with 50 widgets, and the
 *   time to handle 1,000 synthetic clicks and 1,000 hovers, against the same page without the
 *   SDK (same run, alternating); long tasks; document listeners and observers at 5 and at 50
 *   widgets; each figure against its goal (issue 20);
 * - two busy tabs of one visitor: events on the wire per distinct event, and what is left in
 *   the shared storage once everything was delivered;
 * - memory: heap growth after 10,000 events with the collector unreachable.
 * Pages come from a tiny local server that also answers `POST /v1/events` with 202.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { fmt, machine, median, memoryTable, QUICK, ratio, table, writeResult } from '@lasttouch/shared/testing/bench';
import { launchChromium } from '@lasttouch/shared/testing/chromium';
import type { Browser, CDPSession, Page } from 'playwright-core';

const SDK = readFileSync(fileURLToPath(new URL('../dist/lasttouch.js', import.meta.url)), 'utf8');
const RUNS = QUICK ? 2 : 5;
const INTERACTIONS = 1_000;
const MEMORY_EVENTS = 10_000;
const WIDGETS = 50;
/** Goals of issue 20. */
const GOALS = { initMs: 5, interactRatio: 3, wirePerEvent: 1.05, longTasks: 0 };
const TAB_CLICKS = QUICK ? 100 : 400;
/** A loopback port nothing listens on: the collector is unreachable (connection refused). */
const UNREACHABLE = 'http://127.0.0.1:9';

const KINDS = ['popup', 'notification', 'block'];

/**
 * Records long tasks; with \`count=1\` (the footprint runs only, never the timed ones) also counts
 * the observers the page creates and the targets they observe. Runs before anything else.
 */
const PROBE = `<script>
window.__longTasks = [];
try { new PerformanceObserver((l) => { for (const e of l.getEntries()) __longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: true }); } catch {}
if (location.search.includes('count=1')) {
  window.__observers = {};
  for (const name of ['MutationObserver', 'IntersectionObserver', 'ResizeObserver', 'PerformanceObserver']) {
    const Original = window[name];
    const counts = (__observers[name] = { instances: 0, observed: 0 });
    window[name] = class extends Original {
      constructor(...args) { super(...args); counts.instances++; }
      observe(...args) { counts.observed++; return super.observe(...args); }
    };
  }
}
</script>`;

function page(widgets: number): string {
  const items = Array.from({ length: widgets }, (_, i) => {
    const kind = KINDS[i % KINDS.length];
    return `<div class="w" data-lt-widget="${kind}" data-lt-id="w${i}" data-lt-campaign="c${i % 5}"><span class="cta">Offer ${i}</span><button data-lt-dismiss aria-label="Close">×</button></div>`;
  }).join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>lasttouch bench</title>
<style>body{margin:0;font:12px sans-serif}.g{display:flex;flex-wrap:wrap;gap:4px}.w{width:118px;height:40px;border:1px solid #ccc}</style>
${PROBE}</head><body><main class="g">${items}</main></body></html>`;
}

async function startServer() {
  let received = 0;
  /** Ids of the events received, with how often each came. */
  const ids = new Map<string, number>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/v1/events') {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        const events = (JSON.parse(body) as { e: { id: string }[] }).e;
        const n = events.length;
        received += n;
        for (const { id } of events) ids.set(id, (ids.get(id) ?? 0) + 1);
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ accepted: n, duplicates: 0, rejected: [] }));
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page(Number(url.searchParams.get('n') ?? WIDGETS)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, received: () => received, ids, close: () => new Promise((r) => server.close(r)) };
}

/**
 * Injects the tag as an inline script (stub first, as the contract's snippet does) and returns
 * the synchronous time of the injection (parse, compile, evaluation: `initMs`) and the time from
 * its end until a timer set right after it fires (`startMs`: the task the tracker starts in, which
 * the tag queued first, plus the timer's own latency, which the run without the SDK shows).
 */
async function inject(p: Page, api: string, withSdk: boolean): Promise<{ initMs: number; startMs: number }> {
  return p.evaluate(
    ({ src, api }) => {
      const w = window as unknown as { lasttouch: { q?: unknown[] } & ((...a: unknown[]) => void) };
      w.lasttouch ||= (...args: unknown[]) => {
        w.lasttouch.q ||= [];
        w.lasttouch.q.push(args);
      };
      const s = document.createElement('script');
      s.dataset.site = 'ltw_bench';
      s.dataset.api = api;
      s.textContent = src;
      const t0 = performance.now();
      document.head.append(s);
      const t1 = performance.now();
      return new Promise<{ initMs: number; startMs: number }>((resolve) =>
        setTimeout(() => resolve({ initMs: t1 - t0, startMs: performance.now() - t1 })),
      );
    },
    { src: withSdk ? SDK : '', api },
  );
}

async function scriptMs(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return (metrics.find((m) => m.name === 'ScriptDuration')?.value ?? 0) * 1000;
}

/**
 * Dispatches `count` clicks and `count` hovers (pointerover, then pointerout), one click and one
 * hover per task as a visitor would make them (a message-channel yield between them, no timer
 * clamping), and returns the summed synchronous dispatch time: the handlers' cost.
 */
async function interact(p: Page, count: number): Promise<number> {
  return p.evaluate(async (count) => {
    const targets = [...document.querySelectorAll('.cta')] as HTMLElement[];
    const channel = new MessageChannel();
    const yieldTask = () =>
      new Promise<void>((resolve) => {
        channel.port1.onmessage = () => resolve();
        channel.port2.postMessage(0);
      });
    let total = 0;
    for (let i = 0; i < count; i++) {
      const el = targets[i % targets.length] as HTMLElement;
      const t0 = performance.now();
      el.dispatchEvent(new PointerEvent('pointerover', { bubbles: true, pointerType: 'mouse' }));
      el.dispatchEvent(
        new PointerEvent('pointerout', { bubbles: true, pointerType: 'mouse', relatedTarget: document.body }),
      );
      el.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
      total += performance.now() - t0;
      await yieldTask();
    }
    return total;
  }, count);
}

const longTasks = (p: Page) => p.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);

interface Run {
  initMs: number;
  startMs: number;
  scriptMsAfterInit: number;
  interactMs: number;
  /** All script time while interacting and 1.5 s after (timers, sends), from CDP. */
  interactScriptMs: number;
  longTasks: number[];
}

async function mainThreadRun(browser: Browser, origin: string, withSdk: boolean): Promise<Run> {
  const context = await browser.newContext();
  const p = await context.newPage();
  const cdp = await context.newCDPSession(p);
  await cdp.send('Performance.enable');
  await p.goto(`${origin}/?n=${WIDGETS}`);
  const before = await scriptMs(cdp);
  const { initMs, startMs } = await inject(p, origin, withSdk);
  // Let the observers' first callbacks (instances of the 50 widgets) and the first send run.
  await p.waitForTimeout(1_500);
  const afterInit = await scriptMs(cdp);
  const interactMs = await interact(p, INTERACTIONS);
  await p.waitForTimeout(1_500);
  const interactScriptMs = (await scriptMs(cdp)) - afterInit;
  const tasks = await longTasks(p);
  await context.close();
  return { initMs, startMs, scriptMsAfterInit: afterInit - before, interactMs, interactScriptMs, longTasks: tasks };
}

async function documentListeners(cdp: CDPSession, expression: string): Promise<Record<string, number>> {
  const { result } = await cdp.send('Runtime.evaluate', { expression });
  const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId as string });
  const byType: Record<string, number> = {};
  for (const l of listeners) byType[l.type] = (byType[l.type] ?? 0) + 1;
  return byType;
}

async function footprint(browser: Browser, origin: string, widgets: number, withSdk: boolean) {
  const context = await browser.newContext();
  const p = await context.newPage();
  const cdp = await context.newCDPSession(p);
  await p.goto(`${origin}/?n=${widgets}&count=1`);
  await inject(p, origin, withSdk);
  await p.waitForTimeout(500);
  const onDocument = await documentListeners(cdp, 'document');
  const onWindow = await documentListeners(cdp, 'window');
  const observers = await p.evaluate(
    () => (window as unknown as { __observers: Record<string, { instances: number; observed: number }> }).__observers,
  );
  await context.close();
  const count = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
  return {
    widgets,
    withSdk,
    document: onDocument,
    documentCount: count(onDocument),
    window: onWindow,
    windowCount: count(onWindow),
    observers,
  };
}

/**
 * Two tabs of one visitor, each clicking widgets every 10 ms (a click is one event): how many
 * events reach the wire per distinct event, and how many stored queue keys are left once both
 * tabs have delivered everything (0: no delivered event stays in the shared storage).
 */
async function twoTabs(browser: Browser, server: Awaited<ReturnType<typeof startServer>>) {
  server.ids.clear();
  const context = await browser.newContext();
  const tabs = [await context.newPage(), await context.newPage()];
  for (const tab of tabs) {
    await tab.goto(`${server.origin}/?n=${WIDGETS}`);
    await inject(tab, server.origin, true);
  }
  await Promise.all(
    tabs.map((tab, t) =>
      tab.evaluate(
        async ({ count, t }) => {
          const targets = [...document.querySelectorAll('.cta')] as HTMLElement[];
          for (let i = 0; i < count; i++) {
            (targets[(i * 2 + t) % targets.length] as HTMLElement).click();
            await new Promise((r) => setTimeout(r, 10));
          }
          (window as unknown as { lasttouch: (name: string) => void }).lasttouch('flush');
        },
        { count: TAB_CLICKS, t },
      ),
    ),
  );
  const left = async () =>
    (
      await Promise.all(
        tabs.map((tab) => tab.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('lt_q')).length)),
      )
    ).reduce((a, b) => a + b, 0);
  for (let i = 0; i < 50 && (await left()) > 0; i++) await tabs[0]!.waitForTimeout(100);
  const storedQueues = await left();
  await context.close();
  const onWire = [...server.ids.values()].reduce((a, b) => a + b, 0);
  return {
    clicks: TAB_CLICKS * 2,
    distinct: server.ids.size,
    onWire,
    perEvent: onWire / server.ids.size,
    storedQueues,
  };
}

async function memory(browser: Browser, origin: string, withSdk: boolean) {
  const context = await browser.newContext();
  const p = await context.newPage();
  const cdp = await context.newCDPSession(p);
  await p.goto(`${origin}/?n=${WIDGETS}`);
  await inject(p, UNREACHABLE, withSdk);
  await p.waitForTimeout(1_000);
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };
  const before = await heap();
  // Clicks: one event each (hovers would need 500 ms of presence apiece).
  await p.evaluate(async (count) => {
    const targets = [...document.querySelectorAll('.cta')] as HTMLElement[];
    for (let done = 0; done < count; ) {
      for (let i = 0; i < 100 && done < count; i++, done++) {
        (targets[done % targets.length] as HTMLElement).dispatchEvent(new MouseEvent('click', { bubbles: true }));
      }
      await new Promise((r) => setTimeout(r, 0));
    }
  }, MEMORY_EVENTS);
  await p.waitForTimeout(2_000);
  const after = await heap();
  const stored = await p.evaluate(() => {
    let bytes = 0;
    let queued = 0;
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i) as string;
      const value = localStorage.getItem(key) ?? '';
      bytes += key.length + value.length;
      // Each page's queue: [last alive, ...events].
      if (key.startsWith('lt_q.')) queued += (JSON.parse(value) as unknown[]).length - 1;
    }
    return { bytes, queued };
  });
  const tasks = await longTasks(p);
  await context.close();
  return {
    withSdk,
    before,
    after,
    growth: after - before,
    localStorageBytes: stored.bytes,
    queuedEvents: stored.queued,
    longTasks: tasks,
  };
}

const server = await startServer();
const browser = await launchChromium();
try {
  const runs: { sdk: Run[]; base: Run[] } = { sdk: [], base: [] };
  // Alternate, so both sides see the same background load.
  for (let i = 0; i < RUNS; i++) {
    runs.base.push(await mainThreadRun(browser, server.origin, false));
    runs.sdk.push(await mainThreadRun(browser, server.origin, true));
  }
  const m = (side: Run[], key: 'initMs' | 'startMs' | 'scriptMsAfterInit' | 'interactMs' | 'interactScriptMs') =>
    median(side.map((r) => r[key]));
  const sdkLong = runs.sdk.flatMap((r) => r.longTasks);
  const baseLong = runs.base.flatMap((r) => r.longTasks);
  const footprints = [
    await footprint(browser, server.origin, 5, false),
    await footprint(browser, server.origin, 5, true),
    await footprint(browser, server.origin, WIDGETS, false),
    await footprint(browser, server.origin, WIDGETS, true),
  ];
  const mem = [await memory(browser, server.origin, false), await memory(browser, server.origin, true)];
  const tabs = await twoTabs(browser, server);
  const status = (ok: boolean) => (ok ? 'meets goal' : '**misses goal**');

  const interactRatio = m(runs.sdk, 'interactMs') / m(runs.base, 'interactMs');
  console.log(`\nGoals (issue 20), this run`);
  console.log(
    table(
      ['goal', 'measured', 'same-run baseline', 'status'],
      [
        [
          `evaluation + init ≤ ${GOALS.initMs} ms (median)`,
          `${fmt(m(runs.sdk, 'initMs'))} ms (then a start task: ${fmt(m(runs.sdk, 'startMs'))} ms)`,
          `${fmt(m(runs.base, 'initMs'))} ms (empty script; next timer ${fmt(m(runs.base, 'startMs'))} ms)`,
          status(m(runs.sdk, 'initMs') <= GOALS.initMs),
        ],
        [
          `1,000 clicks + 1,000 hovers ≤ ${GOALS.interactRatio}× the page without the SDK`,
          `${fmt(interactRatio)}×`,
          `${fmt(m(runs.base, 'interactMs'))} ms`,
          status(interactRatio <= GOALS.interactRatio),
        ],
        [
          `events on the wire per distinct event, two busy tabs ≤ ${GOALS.wirePerEvent}`,
          `${fmt(tabs.perEvent, 3)} (${fmt(tabs.onWire)} / ${fmt(tabs.distinct)})`,
          `${fmt(tabs.clicks)} clicks made (plus instances)`,
          status(tabs.perEvent <= GOALS.wirePerEvent && tabs.distinct >= tabs.clicks),
        ],
        [
          'stored queues left after delivery, two busy tabs = 0',
          String(tabs.storedQueues),
          '',
          status(tabs.storedQueues === 0),
        ],
        [
          `long tasks (≥ 50 ms) over all runs = ${GOALS.longTasks}`,
          String(sdkLong.length),
          `${baseLong.length} without the SDK`,
          status(sdkLong.length <= GOALS.longTasks),
        ],
      ],
    ),
  );
  console.log(`\nMain-thread cost in Chromium, page with ${WIDGETS} widgets (median of ${RUNS} fresh pages)`);
  console.log(
    table(
      ['measure', 'with SDK', 'without SDK', 'ratio'],
      [
        [
          'script injection: evaluation + init, ms',
          fmt(m(runs.sdk, 'initMs')),
          fmt(m(runs.base, 'initMs')),
          ratio(m(runs.sdk, 'initMs'), m(runs.base, 'initMs')),
        ],
        [
          'start task: from the end of the injection to the next timer, ms',
          fmt(m(runs.sdk, 'startMs')),
          fmt(m(runs.base, 'startMs')),
          ratio(m(runs.sdk, 'startMs'), m(runs.base, 'startMs')),
        ],
        [
          'script time, injection + 1.5 s (CDP ScriptDuration), ms',
          fmt(m(runs.sdk, 'scriptMsAfterInit')),
          fmt(m(runs.base, 'scriptMsAfterInit')),
          ratio(m(runs.sdk, 'scriptMsAfterInit'), m(runs.base, 'scriptMsAfterInit')),
        ],
        [
          `${fmt(INTERACTIONS)} clicks + ${fmt(INTERACTIONS)} hovers: event dispatch, ms`,
          fmt(m(runs.sdk, 'interactMs')),
          fmt(m(runs.base, 'interactMs')),
          ratio(m(runs.sdk, 'interactMs'), m(runs.base, 'interactMs')),
        ],
        [
          `${fmt(INTERACTIONS)} clicks + ${fmt(INTERACTIONS)} hovers: all script incl. timers and sends + 1.5 s (CDP), ms`,
          fmt(m(runs.sdk, 'interactScriptMs')),
          fmt(m(runs.base, 'interactScriptMs')),
          ratio(m(runs.sdk, 'interactScriptMs'), m(runs.base, 'interactScriptMs')),
        ],
        ['long tasks (≥ 50 ms), all runs', String(sdkLong.length), String(baseLong.length), ''],
      ],
    ),
  );
  console.log('\nListeners and observers: they must not grow with the number of widgets');
  console.log(
    table(
      [
        'widgets',
        'SDK',
        'document listeners',
        'window listeners',
        'MutationObservers',
        'IntersectionObservers (targets)',
        'ResizeObservers',
      ],
      footprints.map((f) => [
        f.widgets,
        f.withSdk ? 'yes' : 'no',
        `${f.documentCount} ${JSON.stringify(f.document)}`,
        String(f.windowCount),
        String(f.observers.MutationObserver?.instances ?? 0),
        `${f.observers.IntersectionObserver?.instances ?? 0} (${f.observers.IntersectionObserver?.observed ?? 0})`,
        String(f.observers.ResizeObserver?.instances ?? 0),
      ]),
    ),
  );
  console.log(`\nMemory: JS heap after ${fmt(MEMORY_EVENTS)} click events, collector unreachable (after GC)`);
  console.log(memoryTable(mem));

  writeResult('sdk-browser', {
    machine: machine(),
    quick: QUICK,
    widgets: WIDGETS,
    runs: RUNS,
    interactions: INTERACTIONS,
    mainThread: {
      sdk: {
        initMs: m(runs.sdk, 'initMs'),
        startMs: m(runs.sdk, 'startMs'),
        scriptMs: m(runs.sdk, 'scriptMsAfterInit'),
        interactMs: m(runs.sdk, 'interactMs'),
        interactScriptMs: m(runs.sdk, 'interactScriptMs'),
        longTasks: sdkLong,
      },
      base: {
        initMs: m(runs.base, 'initMs'),
        startMs: m(runs.base, 'startMs'),
        scriptMs: m(runs.base, 'scriptMsAfterInit'),
        interactMs: m(runs.base, 'interactMs'),
        interactScriptMs: m(runs.base, 'interactScriptMs'),
        longTasks: baseLong,
      },
      raw: runs,
    },
    footprints,
    memory: { events: MEMORY_EVENTS, results: mem },
    goals: GOALS,
    twoTabs: tabs,
    eventsReceived: server.received(),
  });
} finally {
  await browser.close();
  await server.close();
}
