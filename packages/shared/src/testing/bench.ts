/**
 * Helpers shared by every benchmark (SDK and collector): results as JSON under
 * artifacts/bench/, tables on stdout, percentiles, and a description of the machine. Node-only.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_PATH } from './chromium.ts';

export const ROOT = `${join(import.meta.dirname, '../../../..')}/`;
export const ARTIFACTS = `${ROOT}artifacts/bench/`;

/** `BENCH_QUICK=1` runs every bench at a tiny scale (development); the default is the full run. */
export const QUICK = process.env.BENCH_QUICK === '1';

export function writeResult(name: string, result: unknown): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(`${ARTIFACTS}${name}.json`, `${JSON.stringify(result, null, 2)}\n`);
}

/** The q-th percentile (0..1) of `values`, nearest rank. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

export const median = (values: readonly number[]): number => percentile(values, 0.5);

/** A number for a table: integers with thousands separators, others with `digits` decimals. */
export function fmt(value: number | null | undefined, digits = 2): string {
  if (value == null || Number.isNaN(value)) return '—';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const ratio = (value: number, baseline: number): string =>
  baseline > 0 && Number.isFinite(value) ? `${fmt(value / baseline, 2)}×` : '—';

/** A Markdown table (also readable on a terminal). */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function machine(): {
  nproc: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  chromium?: string;
  os: string;
} {
  const nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  let chromium: string | undefined;
  try {
    chromium = execFileSync(CHROMIUM_PATH, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {}
  return {
    nproc,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${process.platform} ${process.arch}`,
    ...(chromium ? { chromium } : {}),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One run of the memory benchmark: the page's JS heap around many events, with or without the SDK. */
export interface MemoryRun {
  withSdk: boolean;
  before: number;
  after: number;
  growth: number;
  localStorageBytes: number;
  queuedEvents: number;
}

/** The memory benchmark's table (bytes), as the bench prints it and docs/benchmarks.md shows it. */
export const memoryTable = (runs: readonly MemoryRun[]): string =>
  table(
    ['SDK', 'heap before B', 'heap after B', 'growth B', 'localStorage B', 'events still queued'],
    runs.map((r) => [
      r.withSdk ? 'yes' : 'no',
      fmt(r.before),
      fmt(r.after),
      fmt(r.growth),
      fmt(r.localStorageBytes),
      fmt(r.queuedEvents),
    ]),
  );
