/**
 * The dashboard's figures (issue 16): its bytes, and the time to a rendered widget table.
 * - bytes: the whole page as served (HTML + script + stylesheet), raw, gzip and brotli, against
 *   the 100 KB (brotli) goal;
 * - time: headless Chromium opens /dashboard (read key already kept) against a local server that
 *   answers the API's routes with 200 widgets and 30 days of data, until the table's 200th widget
 *   is painted; goal 1 s. Same-run baseline: an empty page from the same server, to its `load`.
 * Numbers are printed and written to artifacts/bench/dashboard.json; nothing is asserted.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { StatsAnswers, WidgetStatsRow } from '@lasttouch/shared';
import { chromium } from 'playwright-core';
import { fmt, machine, median, QUICK, ratio, table, writeResult } from '../../sdk/bench/lib.ts';
import { buildDashboard } from './build.mjs';

const WIDGETS = 200;
const DAYS = 30;
const RUNS = QUICK ? 2 : 7;
const GOAL_BYTES = 100 * 1024;
const GOAL_MS = 1000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// --- the page, built fresh into a temporary folder --------------------------------------------

const out = mkdtempSync(join(tmpdir(), 'lasttouch-dashboard-bench-'));
const built = buildDashboard({ outDir: out });
const files = new Map(built.map((path) => [path, readFileSync(join(out, path))]));
rmSync(out, { recursive: true, force: true });

const bytes = [...files].map(([path, body]) => ({
  path,
  raw: body.length,
  gzip: gzipSync(body, { level: 9 }).length,
  brotli: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
}));
const total = (key: 'raw' | 'gzip' | 'brotli') => bytes.reduce((n, b) => n + b[key], 0);

/** The headers public/_headers gives /dashboard, so the bench runs under the same CSP. */
function dashboardHeaders(): Record<string, string> {
  const text = readFileSync(new URL('../public/_headers', import.meta.url), 'utf8');
  const block = /^\/dashboard\n((?:[ \t]+.+\n?)+)/m.exec(text)?.[1] ?? '';
  return Object.fromEntries(
    block
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
  );
}

// --- API answers: 200 widgets (a tenth with a second currency), 30 days ----------------------

const range = { from: '2026-10-24T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z', timezone: 'UTC' };
const kinds = ['popup', 'notification', 'block'] as const;

const widgets: StatsAnswers['widgets'] = {
  ...range,
  rows: Array.from({ length: WIDGETS }, (_, i): WidgetStatsRow[] => {
    const row: WidgetStatsRow = {
      kind: kinds[i % 3]!,
      id: `widget-${String(i).padStart(3, '0')}`,
      campaign: i % 4 === 0 ? null : `campaign-${i % 12}`,
      sequence: i % 5 === 0 ? `sequence-${i % 3}` : null,
      instances: 1000 + ((i * 7919) % 50_000),
      clicks: 10 + ((i * 104_729) % 3000),
      hovers: (i * 31) % 700,
      dismisses: (i * 17) % 400,
      orders: (i * 13) % 90,
      value: ((i * 1_237) % 900_000) / 100,
      currency: 'EUR',
    };
    if (i % 10 !== 0) return [row];
    return [
      row,
      { ...row, instances: 0, clicks: 0, hovers: 0, dismisses: 0, orders: 3, value: 120.5, currency: 'USD' },
    ];
  }).flat(),
};

const group = (prefix: string, n: number): StatsAnswers['campaigns'] => ({
  ...range,
  rows: Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    started: 500 + i * 37,
    profiles: 400 + i * 29,
    orders: 20 + i,
    value: 1000 + i * 55.5,
    currency: 'EUR',
  })),
});

const daily: StatsAnswers['daily'] = {
  ...range,
  rows: Array.from({ length: DAYS }, (_, d) => ({
    date: new Date(Date.parse(range.from) + d * 86_400_000).toISOString().slice(0, 10),
    instances: 20_000 + ((d * 7919) % 5000),
    clicks: 900 + ((d * 31) % 300),
    hovers: 300,
    dismisses: 200,
    orders: 40 + (d % 9),
    value: 1800 + d * 12.25,
    currency: 'EUR',
    droppedEvents: d % 5 === 0 ? 12 : 0,
  })),
};

const chat: StatsAnswers['chat'] = {
  ...range,
  groupBy: 'channel',
  rows: ['whatsapp', 'sms', 'email', 'messenger'].map((group, i) => ({
    group,
    contacts: 100 + i * 10,
    transactionsAfterContact: 10 + i,
    turnoverAfterContact: 400 + i * 50,
    conversionRate: 0.1,
    averageOrderValueAfterContact: 40,
    averageSecondsBeforePurchase: 3600 * (i + 1),
    turnoverPerContact: 4,
    currency: 'EUR',
  })),
  totals: [{ websiteTransactions: 5000, websiteTurnover: 200_000, websiteAverageOrderValue: 40, currency: 'EUR' }],
  invalidLandings: 0,
  expiredLandings: 0,
};

const topActions: StatsAnswers['top-actions'] = {
  ...range,
  rows: [
    { action: 'popup_click', channel: null, orders: 900 },
    { action: 'block_click', channel: null, orders: 400 },
    { action: 'link_landing', channel: 'whatsapp', orders: 30 },
  ],
};

const lift: StatsAnswers['lift'] = { ...range, groupBy: 'campaign', rows: [] };

const api: Record<string, unknown> = {
  '/v1/settings': {
    allowedOrigins: ['https://shop.example'],
    attributionWindows: { default: 1_209_600, kinds: {}, channels: {}, campaigns: {} },
    creditPolicy: 'every',
    timezone: 'UTC',
  },
  '/v1/stats/widgets': widgets,
  '/v1/stats/campaigns': group('campaign', 12),
  '/v1/stats/sequences': group('sequence', 3),
  '/v1/stats/chat': chat,
  '/v1/stats/top-actions': topActions,
  '/v1/stats/daily': daily,
  '/v1/stats/lift': lift,
};

// --- a server that stands in for the collector ------------------------------------------------

const headers = dashboardHeaders();
const server = createServer((req, res) => {
  const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
  const answer = api[pathname];
  if (answer !== undefined) {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(answer));
    return;
  }
  const file = files.get(pathname === '/dashboard' ? '/dashboard.html' : pathname);
  if (file) {
    const type = pathname.endsWith('.js') ? 'text/javascript' : pathname.endsWith('.css') ? 'text/css' : 'text/html';
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, ...(type === 'text/html' ? headers : {}) });
    res.end(file);
    return;
  }
  if (pathname === '/baseline') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>baseline</title><link rel="icon" href="data:,"></head><body></body></html>',
    );
    return;
  }
  res.writeHead(404).end();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// --- Chromium ---------------------------------------------------------------------------------

/**
 * Runs in the page before its own scripts: keeps the read key, and notes the first frame after
 * the widget table holds every widget (ms since navigation start), and the longest task.
 */
const PROBE = (expected: number) => {
  localStorage.setItem('lasttouch.dashboard.readKey', 'ltr_bench');
  const w = window as unknown as { __rendered?: number; __longest: number };
  w.__longest = 0;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longest = Math.max(w.__longest, e.duration);
    }).observe({ type: 'longtask', buffered: true });
  } catch {}
  new MutationObserver((_, observer) => {
    if (document.querySelectorAll('#widgets-table tbody tr').length >= expected) {
      observer.disconnect();
      requestAnimationFrame(() => {
        w.__rendered = performance.now();
      });
    }
  }).observe(document, { childList: true, subtree: true });
};

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
const renderMs: number[] = [];
const baselineMs: number[] = [];
const longestTaskMs: number[] = [];
const cspViolations: string[] = [];
try {
  for (let run = 0; run < RUNS + 1; run++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') cspViolations.push(m.text());
    });
    await page.goto(`${origin}/baseline`);
    const baseline = await page.evaluate(
      () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd,
    );
    await page.addInitScript(PROBE, widgets.rows.length);
    await page.goto(`${origin}/dashboard`);
    await page.waitForFunction(() => (window as unknown as { __rendered?: number }).__rendered !== undefined, null, {
      timeout: 30_000,
    });
    const { rendered, longest } = await page.evaluate(() => {
      const w = window as unknown as { __rendered: number; __longest: number };
      return { rendered: w.__rendered, longest: w.__longest };
    });
    await context.close();
    // The first run warms the disk cache and Chromium's code cache: not counted.
    if (run === 0) continue;
    renderMs.push(rendered);
    baselineMs.push(baseline);
    longestTaskMs.push(longest);
  }
} finally {
  await browser.close();
  server.close();
}

const load = loadavg().map((n) => Math.round(n * 100) / 100);
const result = {
  machine: machine(),
  /** Other work on the machine during the run (1, 5 and 15 min): the timings are only as quiet as this. */
  loadAverage: load,
  bytes,
  totals: { raw: total('raw'), gzip: total('gzip'), brotli: total('brotli'), goalBrotli: GOAL_BYTES },
  render: {
    widgets: WIDGETS,
    rows: widgets.rows.length,
    days: DAYS,
    runs: RUNS,
    medianMs: median(renderMs),
    maxMs: Math.max(...renderMs),
    baselineMedianMs: median(baselineMs),
    longestTaskMedianMs: median(longestTaskMs),
    goalMs: GOAL_MS,
  },
  consoleErrors: cspViolations,
};
writeResult('dashboard', result);

console.log('\nDashboard bytes (whole page as served)\n');
console.log(
  table(
    ['file', 'raw', 'gzip', 'brotli'],
    [...bytes.map((b) => [b.path, b.raw, b.gzip, b.brotli]), ['total', total('raw'), total('gzip'), total('brotli')]],
  ),
);
console.log(
  `\nbrotli total ${fmt(total('brotli') / 1024, 1)} KB against a goal of ${GOAL_BYTES / 1024} KB: ${total('brotli') <= GOAL_BYTES ? 'met' : 'MISSED'}`,
);
console.log(
  `\nTime to a painted widget table: ${WIDGETS} widgets (${widgets.rows.length} rows), ${DAYS} days, ${RUNS} runs\n`,
);
console.log(
  table(
    ['page', 'median ms', 'max ms'],
    [
      ['dashboard, navigation start → 200th widget painted', fmt(median(renderMs), 0), fmt(Math.max(...renderMs), 0)],
      [
        'baseline: empty page, navigation start → load end',
        fmt(median(baselineMs), 0),
        fmt(Math.max(...baselineMs), 0),
      ],
    ],
  ),
);
console.log(
  `\ndashboard ${ratio(median(renderMs), median(baselineMs))} the empty page; longest task (median) ${fmt(median(longestTaskMs), 0)} ms; goal ${GOAL_MS} ms: ${median(renderMs) <= GOAL_MS ? 'met' : 'MISSED'}`,
);
console.log(`load average during the run: ${load.join(', ')} on ${result.machine.nproc} cores`);
if (cspViolations.length > 0) console.log(`\nconsole errors during the runs:\n${cspViolations.join('\n')}`);
