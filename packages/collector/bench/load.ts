/**
 * Load helpers of the collector benches: batches sent the way the SDK sends them (text/plain,
 * key in the body, `st`), several in flight, their latencies; and the bench worker's record of
 * what the queue consumer did (bench/worker.ts).
 */
import type { WireEvent } from '@lasttouch/shared';
import { sleep } from '@lasttouch/shared/testing/bench';
import { SHOP } from './generate.ts';
import type { Invocation } from './worker.ts';

/**
 * A request unanswered for 30 s is sent again (harmless: the collector dedupes by event id) and
 * counted; its latency runs from the first attempt. `wrangler dev` reloads the worker when a
 * source file changes, which can strand a request on a machine where the code is being edited.
 */
const TIMEOUT_MS = 30_000;

export async function post(url: string, body: string): Promise<{ status: number; text: string; retries: number }> {
  for (let retries = 0; ; retries++) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8', origin: SHOP },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      return { status: res.status, text: await res.text(), retries };
    } catch (err) {
      if (retries === 2) throw err;
    }
  }
}

export interface LoadRun {
  /** From the first request sent to the last answer. */
  wallMs: number;
  /** `performance.now()` when the first request went out. */
  startedAt: number;
  latencies: number[];
  retries: number;
}

/** Sends every batch to `url` with `concurrency` in flight; every answer must be a 202. */
export async function sendAll(url: string, key: string, batches: WireEvent[][], concurrency: number): Promise<LoadRun> {
  const latencies: number[] = [];
  let retries = 0;
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const body = JSON.stringify({ k: key, st: Date.now(), e: batches[next++] });
      const t0 = performance.now();
      const res = await post(url, body);
      latencies.push(performance.now() - t0);
      retries += res.retries;
      if (res.status !== 202) throw new Error(`${url} answered ${res.status}: ${res.text}`);
    }
  };
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { wallMs: performance.now() - startedAt, startedAt, latencies, retries };
}

/** `events` cut into batches of `size` (the last one shorter). */
export const batchesOf = <T>(events: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(events.length / size) }, (_, i) => events.slice(i * size, (i + 1) * size));

/** Polls `check` every `everyMs` until it holds; answers when it first held (performance.now()). */
export async function until(check: () => Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return performance.now();
    if (performance.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** The bench worker's record of consumer invocations since its last reset. */
export async function consumerLog(origin: string): Promise<{ invocations: Invocation[]; injected: number }> {
  const res = await fetch(`${origin}/bench/consumer`);
  if (!res.ok) throw new Error(`GET /bench/consumer: ${res.status}`);
  return (await res.json()) as { invocations: Invocation[]; injected: number };
}

export async function resetConsumerLog(origin: string): Promise<void> {
  await fetch(`${origin}/bench/consumer/reset`, { method: 'POST' }).then((r) => r.arrayBuffer());
}

/**
 * Waits until the consumer is idle: no invocation recorded for `quietMs` (the queue's batch
 * timeout is 1 s, so a quiet stretch longer than that means nothing is waiting), after at least
 * `events` events and `invocations` invocations since the last reset. Polls every `pollMs`.
 */
export async function consumerIdle(
  origin: string,
  want: { events?: number; invocations?: number; quietMs?: number; timeoutMs?: number; pollMs?: number } = {},
) {
  const quietMs = want.quietMs ?? 2_500;
  let seen = -1;
  let since = performance.now();
  await until(
    async () => {
      const { invocations } = await consumerLog(origin);
      if (invocations.length !== seen) {
        seen = invocations.length;
        since = performance.now();
        return false;
      }
      const events = invocations.reduce((n, i) => n + i.events, 0);
      return (
        events >= (want.events ?? 0) &&
        invocations.length >= (want.invocations ?? 0) &&
        performance.now() - since >= quietMs
      );
    },
    want.timeoutMs ?? 600_000,
    want.pollMs ?? 250,
  );
  return consumerLog(origin);
}

/** Sums of a list of invocations, and their worst single figures. */
export function summarize(invocations: readonly Invocation[]) {
  const sum = (key: 'events' | 'messages' | 'calls' | 'statements' | 'rowsRead' | 'rowsWritten' | 'ms') =>
    invocations.reduce((n, i) => n + i[key], 0);
  const max = (key: 'events' | 'messages' | 'calls' | 'maxBatch' | 'ms') =>
    invocations.reduce((n, i) => Math.max(n, i[key]), 0);
  return {
    invocations: invocations.length,
    messages: sum('messages'),
    events: sum('events'),
    calls: sum('calls'),
    statements: sum('statements'),
    rowsRead: sum('rowsRead'),
    rowsWritten: sum('rowsWritten'),
    ms: sum('ms'),
    maxCalls: max('calls'),
    maxBatch: max('maxBatch'),
    maxMessages: max('messages'),
    maxEvents: max('events'),
    maxMs: max('ms'),
    lastEndedAt: invocations.reduce((n, i) => Math.max(n, i.endedAt), 0),
  };
}
