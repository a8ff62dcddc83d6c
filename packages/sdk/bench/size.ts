/**
 * Benchmark 1: bytes of the script tag file, `dist/lasttouch.js` (run `pnpm build` first),
 * raw, gzip-9 and brotli-11, where they come from (per source module), beside the sizes peers
 * publish (quoted, not measured here).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { fmt, machine, table, writeResult } from '@lasttouch/shared/testing/bench';
import { moduleSizes } from './modules.ts';

export const GOAL_BROTLI = 2048;

const file = fileURLToPath(new URL('../dist/lasttouch.js', import.meta.url));
const code = readFileSync(file);
const raw = code.length;
const gzip = gzipSync(code, { level: 9 }).length;
const brotli = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const { modules } = await moduleSizes();

/** As published by each project (quoted in issue 7); features as their docs describe them. */
export const PEERS = [
  {
    name: 'Plausible',
    published: '≈1.3 KB raw / ≈2.5 KB gzip (current script)',
    features:
      'pageviews, custom events and goals, outbound links and file downloads (script extensions), SPA routes; no cookies',
  },
  {
    name: 'Umami',
    published: '≈1.9 KB brotli',
    features: 'pageviews, custom events from data attributes or JS, SPA routes; no cookies',
  },
  { name: 'Simple Analytics (light)', published: '≈1.9 KB gzip', features: 'pageviews only; no cookies' },
  { name: 'Fathom', published: '≈3 KB', features: 'pageviews, events/goals, SPA routes; no cookies' },
  {
    name: 'Snowplow (lite)',
    published: '≈18 KB gzip',
    features: 'pageviews, page pings, structured and self-describing events, cookies, persisted queue with retries',
  },
  {
    name: 'Matomo',
    published: '≈22 KB gzip',
    features: 'pageviews, events, goals, e-commerce, content impressions and interactions, consent, cookies',
  },
  {
    name: 'Segment analytics-next',
    published: '≈30 KB',
    features: 'track/page/identify, destination plugins, persisted queue with retries',
  },
  {
    name: 'posthog-js',
    published: '≈57 KB gzip',
    features:
      'autocapture, events, identify, feature flags, surveys, persisted queue with retries (recording loaded lazily)',
  },
];

const FEATURES =
  'widget instances (rendered, ≥50% in view or covering half the viewport, per showing, bfcache restores), clicks, hovers, ' +
  'dismisses (shadow roots included); widgets added later or renamed (one MutationObserver); tagged-link landings (SPA ' +
  'navigations included); checkout; identify; consent (every tab); GPC/DNT; holdout (hiding, eligibility, cohort); ' +
  'visitor id (cookie on the registrable domain + localStorage); sessions; per-page persisted queues with priorities, ' +
  'drop reports, backoff and keepalive fetches';

console.log('\nSDK size: packages/sdk/dist/lasttouch.js');
console.log(
  table(
    ['raw B', 'gzip-9 B', 'brotli-11 B', 'goal (brotli)', 'status'],
    [
      [
        fmt(raw),
        fmt(gzip),
        fmt(brotli),
        fmt(GOAL_BROTLI),
        brotli <= GOAL_BROTLI ? 'meets goal' : `over by ${fmt(brotli - GOAL_BROTLI)} B`,
      ],
    ],
  ),
);
console.log(
  '\nWhere the bytes come from (source map of the same build; brotli: what the file loses without the module)',
);
console.log(
  table(
    ['module', 'minified B', 'brotli-11 B (marginal)'],
    modules.map((m) => [m.module.replace('packages/', ''), fmt(m.minified), fmt(m.brotliMarginal)]),
  ),
);
console.log('\nPeers (published figures, not measured here)');
console.log(
  table(
    ['script', 'published size', 'features'],
    [
      ['lasttouch (measured)', `${fmt(brotli)} B brotli-11`, FEATURES],
      ...PEERS.map((p) => [p.name, p.published, p.features]),
    ],
  ),
);

writeResult('sdk-size', {
  machine: machine(),
  file: 'packages/sdk/dist/lasttouch.js',
  raw,
  gzip,
  brotli,
  goalBrotli: GOAL_BROTLI,
  modules,
  features: FEATURES,
  peers: PEERS,
});
