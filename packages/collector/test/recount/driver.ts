/**
 * Feeds a recount stream (`stream.ts`) through the collector's real HTTP API and work queue,
 * under a controlled clock: `Date.now` is replaced in this isolate, which the worker's routes and
 * the queue consumer share with the test, so receive times, link issue times and clock offsets
 * are exact and the model (`model.ts`) can recount them to the millisecond.
 */
import { env } from 'cloudflare:workers';
import { LINK_PARAM, type Settings } from '@lasttouch/shared';
import { consumerActivity } from '../../src/jobs/queue-handler.js';
import { newLinkId, signToken } from '../../src/links/token.js';
import { call, createSite } from '../helpers.js';
import {
  type BatchDelivery,
  DAY,
  type Delivery,
  type GenEvent,
  ORIGIN,
  type SiteStream,
  type TokenRef,
} from './stream.js';

const realNow = Date.now.bind(Date);

/** The isolate's clock, set by the test. Always `restore()` it (in a `finally`). */
export const clock = {
  set(ms: number): void {
    Date.now = () => ms;
  },
  restore(): void {
    Date.now = realNow;
  },
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What changes whenever the consumer commits a step or parks a message, in both databases. */
async function fingerprint(): Promise<string> {
  const sql = `select (select coalesce(sum(seq), 0) from site_steps) || ':' || (select count(*) from dead_letters) as fp`;
  const rows = await Promise.all([env.DB, env.DB_2].map((db) => db.prepare(sql).first<{ fp: string }>()));
  return rows.map((r) => r?.fp).join('|');
}

/** `settled()` of test/helpers.ts, timed by the real clock (the test's is stopped). */
export async function settle(timeoutMs = 60_000): Promise<void> {
  const end = realNow() + timeoutMs;
  let quiet = 0;
  let last = '';
  while (quiet < 3) {
    if (realNow() > end) throw new Error('the work queue did not settle');
    const { backlogCount } = await env.WORK_QUEUE.metrics();
    const fp = await fingerprint();
    quiet = backlogCount === 0 && consumerActivity.running === 0 && fp === last ? quiet + 1 : 0;
    last = fp;
    await sleep(15);
  }
}

export async function deadLetters(): Promise<number> {
  const rows = await Promise.all(
    [env.DB, env.DB_2].map((db) => db.prepare('select count(*) as n from dead_letters').first<{ n: number }>()),
  );
  return rows.reduce((n, r) => n + (r?.n ?? 0), 0);
}

async function ok<T>(res: Response, what: string): Promise<T> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<T>;
}

/** A site of the stream as created in the collector, with the tokens of its issued links. */
export class DrivenSite {
  readonly tokens: string[] = [];
  readonly oldTokens: string[] = [];
  readonly unknownTokens: string[] = [];
  /** The next site of the same arrival order: whose tokens are "foreign" here. */
  neighbour: DrivenSite = this;

  private constructor(
    readonly stream: SiteStream,
    readonly siteId: string,
    private readonly keys: { write: string; read: string; agent: string },
  ) {}

  static async create(stream: SiteStream, database: string): Promise<DrivenSite> {
    const site = await createSite({ allowedOrigins: [ORIGIN], timezone: stream.initial.timezone, database });
    const driven = new DrivenSite(stream, site.siteId, {
      write: site.writeKey,
      read: site.readKey,
      agent: site.agentKey,
    });
    await driven.put('/v1/settings', {
      attributionWindows: stream.initial.attributionWindows,
      creditPolicy: stream.initial.creditPolicy,
    });
    return driven;
  }

  private auth(key: string, body?: unknown, method = 'POST'): RequestInit {
    return {
      method,
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    };
  }

  private async put(path: string, body: unknown): Promise<void> {
    await ok(await call(path, this.auth(this.keys.read, body, 'PUT')), `PUT ${path}`);
  }

  get<T>(path: string): Promise<T> {
    return call(path, { headers: { Authorization: `Bearer ${this.keys.read}` } }).then((r) => ok<T>(r, `GET ${path}`));
  }

  /** Issues a link through `POST /v1/links` (at the clock's time): its token. */
  async issue(spec: SiteStream['links'][number]): Promise<string> {
    const { url } = await ok<{ url: string }>(
      await call(
        '/v1/links',
        this.auth(this.keys.agent, {
          url: `${ORIGIN}/p/${spec.conversation}`,
          conversation: spec.conversation,
          channel: spec.channel,
          ...(spec.agent ? { agent: spec.agent } : {}),
        }),
      ),
      'POST /v1/links',
    );
    return new URL(url).searchParams.get(LINK_PARAM)!;
  }

  /** Tokens signed with this site's secret for links never issued (the collector's signer: only a fixture). */
  async signUnknown(issuedAt: number): Promise<void> {
    const secret = await env.DB.prepare(
      "select key_id as keyId, secret from site_secrets where site_id = ? and purpose = 'link' order by key_id desc",
    )
      .bind(this.siteId)
      .first<{ keyId: number; secret: string }>();
    for (let n = 0; n < 2; n++) {
      this.unknownTokens.push(
        await signToken({
          siteId: this.siteId,
          keyId: secret!.keyId,
          secret: secret!.secret,
          linkId: newLinkId(),
          issuedAt,
        }),
      );
    }
  }

  private token(ref: TokenRef): string {
    switch (ref.kind) {
      case 'link':
        return this.tokens[ref.link]!;
      case 'old':
        return this.oldTokens[ref.link]!;
      case 'foreign':
        return this.neighbour.tokens[ref.link]!;
      case 'altered': {
        const t = this.tokens[ref.link]!;
        const at = t.length - 5;
        return `${t.slice(0, at)}${t[at] === 'A' ? 'B' : 'A'}${t.slice(at + 1)}`;
      }
      case 'garbage':
        return ref.text;
      case 'unknown':
        return this.unknownTokens[ref.n]!;
    }
  }

  private wire(e: GenEvent, skew: number): Record<string, unknown> {
    const fields: Record<string, unknown> = { id: e.id, t: e.t, v: e.v, s: e.s, ts: e.T + skew, p: '/' };
    if (e.h !== undefined) fields.h = e.h;
    switch (e.t) {
      case 'landing':
        return { ...fields, tk: this.token(e.token!) };
      case 'checkout':
        return { ...fields, o: e.o, val: e.val, cur: e.cur };
      case 'identify':
        return { ...fields, cu: e.cu };
      case 'drop':
        return { ...fields, n: e.n };
      default:
        return { ...fields, k: e.k, w: e.w, ...(e.c ? { c: e.c } : {}), ...(e.q ? { q: e.q } : {}) };
    }
  }

  /** Sends one delivery as the SDK or the store would, at the clock's `now`; a batch answers its rejections. */
  async deliver(d: Delivery, now: number): Promise<{ index: number; code: string }[] | undefined> {
    switch (d.kind) {
      case 'batch':
        return this.batch(d, now);
      case 'report': {
        const { ts, ...body } = d.body;
        const at = ts === undefined ? {} : { ts: ts.iso ? new Date(ts.at).toISOString() : ts.at };
        await ok(await call('/v1/orders', this.auth(this.keys.read, { ...body, ...at })), 'POST /v1/orders');
        return undefined;
      }
      case 'settings':
        await this.put('/v1/settings', d.patch satisfies Partial<Settings>);
        return undefined;
      case 'hours':
        await this.put(`/v1/agents/${d.agent}/hours`, { date: d.date, hours: d.hours });
        return undefined;
    }
  }

  private async batch(d: BatchDelivery, now: number) {
    const st = d.st === 'sent' ? now + d.skew : d.st === 'invalid' ? now + d.skew + 401 * DAY : undefined;
    const body = {
      k: this.keys.write,
      ...(st === undefined ? {} : { st }),
      e: d.events.map((e) => this.wire(e, d.skew)),
    };
    const res = await call('/v1/events', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify(body),
    });
    const answer = await ok<{ rejected: { index: number; code: string }[] }>(res, 'POST /v1/events');
    return answer.rejected.map(({ index, code }) => ({ index, code }));
  }
}
