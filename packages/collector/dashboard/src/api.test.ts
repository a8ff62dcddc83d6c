import { describe, expect, it } from 'vitest';
import { BASE, fakeApi } from '../test/fake-api.js';
import * as fx from '../test/fixtures.js';
import {
  ApiFailure,
  collectorBase,
  describeFailure,
  getAllRows,
  getCsv,
  getJson,
  putJson,
  retryAfterSeconds,
  urlOf,
} from './api.js';

const client = (routes: Parameters<typeof fakeApi>[0]) => {
  const api = fakeApi(routes);
  return { api, client: { base: BASE, key: 'ltr_key', fetch: api.fetch } };
};

const failureOf = async (promise: Promise<unknown>): Promise<ApiFailure> => {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiFailure) return err;
    throw err;
  }
  throw new Error('expected a failure');
};

describe('API client', () => {
  it('calls the collector that serves the page, also under a mount path', () => {
    expect(collectorBase('http://127.0.0.1:8787/dashboard')).toBe('http://127.0.0.1:8787/');
    expect(collectorBase('https://shop.example/lt/dashboard?x=1#widgets')).toBe('https://shop.example/lt/');
    expect(
      urlOf({ base: 'https://shop.example/lt/' }, '/v1/stats/widgets', { from: '2026-11-01', to: undefined }),
    ).toBe('https://shop.example/lt/v1/stats/widgets?from=2026-11-01');
  });

  it('sends the read key as a bearer token', async () => {
    const { api, client: c } = client({ 'GET /v1/settings': { body: fx.settings } });
    expect(await getJson(c, '/v1/settings')).toEqual(fx.settings);
    expect(api.calls[0]?.headers.Authorization).toBe('Bearer ltr_key');
  });

  it('follows nextCursor until the last page', async () => {
    const { api, client: c } = client({
      'GET /v1/stats/chat': (call) =>
        call.query.cursor === undefined
          ? { body: { ...fx.chat, rows: [fx.chat.rows[0]], nextCursor: 'p2' } }
          : { body: { ...fx.chat, rows: [fx.chat.rows[1]] } },
    });
    const answer = await getAllRows<typeof fx.chat & { nextCursor?: string }>(c, '/v1/stats/chat', { groupBy: 'x' });
    expect(answer.rows).toEqual(fx.chat.rows);
    expect(answer.nextCursor).toBeUndefined();
    expect(api.calls.map((call) => call.query)).toEqual([{ groupBy: 'x' }, { groupBy: 'x', cursor: 'p2' }]);
  });

  it('asks the API for its CSV instead of writing one', async () => {
    const { api, client: c } = client({ 'GET /v1/stats/widgets': { text: 'kind,id\r\npopup,a\r\n' } });
    const blob = await getCsv(c, '/v1/stats/widgets', { from: '2026-11-01', to: '2026-11-07' });
    expect(await blob.text()).toBe('kind,id\r\npopup,a\r\n');
    expect(api.calls[0]).toMatchObject({
      query: { from: '2026-11-01', to: '2026-11-07', format: 'csv' },
      headers: { Accept: 'text/csv' },
    });
  });

  it('joins the CSV pages the API sends, one header row', async () => {
    const { api, client: c } = client({
      'GET /v1/stats/widgets': (call) =>
        call.query.cursor === undefined
          ? { text: 'kind,id\r\npopup,a\r\n', headers: { 'X-Next-Cursor': 'p2' } }
          : { text: 'kind,id\r\nblock,"b\r\nc"\r\n' },
    });
    const blob = await getCsv(c, '/v1/stats/widgets');
    expect(await blob.text()).toBe('kind,id\r\npopup,a\r\nblock,"b\r\nc"\r\n');
    expect(api.calls.map((call) => call.query)).toEqual([{ format: 'csv' }, { format: 'csv', cursor: 'p2' }]);
  });

  it('sends settings as JSON', async () => {
    const { api, client: c } = client({ 'PUT /v1/settings': { body: fx.settings } });
    await putJson(c, '/v1/settings', { creditPolicy: 'first' });
    expect(api.calls[0]).toMatchObject({ method: 'PUT', body: { creditPolicy: 'first' } });
    expect(api.calls[0]?.headers['Content-Type']).toBe('application/json');
  });
});

describe('failures in words', () => {
  it('tells a refused key from a key of the wrong kind', async () => {
    const { client: c } = client({
      'GET /v1/a': { status: 401, body: { error: { code: 'unauthorized', message: 'Unknown key' } } },
      'GET /v1/b': { status: 403, body: { error: { code: 'forbidden', message: 'This route needs a read key' } } },
    });
    const unknown = await failureOf(getJson(c, '/v1/a'));
    expect(unknown).toMatchObject({ kind: 'unauthorized', status: 401 });
    expect(describeFailure(unknown)).toMatch(/did not accept this key.*Unknown key.*current read key/);
    expect(describeFailure(await failureOf(getJson(c, '/v1/b')))).toMatch(/may not read.*ltr_/);
  });

  it('reads Retry-After of a 429 and a 503', async () => {
    const { client: c } = client({
      'GET /v1/a': {
        status: 429,
        headers: { 'Retry-After': '7' },
        body: { error: { code: 'rate_limited', message: 'Slow down' } },
      },
      'GET /v1/b': {
        status: 503,
        headers: { 'Retry-After': '5' },
        body: { error: { code: 'unavailable', message: 'Storage failed' } },
      },
    });
    const limited = await failureOf(getJson(c, '/v1/a'));
    expect(limited).toMatchObject({ kind: 'rate_limited', retryAfter: 7 });
    expect(describeFailure(limited)).toBe('Too many requests: the collector asks to wait 7 s before trying again.');
    const down = await failureOf(getJson(c, '/v1/b'));
    expect(down).toMatchObject({ kind: 'unavailable', status: 503, retryAfter: 5 });
    expect(describeFailure(down)).toMatch(/not able to answer right now \(503: Storage failed\).*retry in 5 s/);
  });

  it('says the collector cannot be reached when nothing answers', async () => {
    const { client: c } = client({ 'GET /v1/a': new TypeError('Failed to fetch') });
    const failure = await failureOf(getJson(c, '/v1/a'));
    expect(failure.kind).toBe('network');
    expect(describeFailure(failure)).toMatch(/could not be reached \(Failed to fetch\)/);
  });

  it('keeps the API’s field issues of a 400, and copes with a body that is not the API’s', async () => {
    const { client: c } = client({
      'PUT /v1/settings': { status: 400, body: fx.invalidWindow },
      'GET /v1/proxy': { status: 502, text: '<html>Bad gateway</html>' },
    });
    const invalid = await failureOf(putJson(c, '/v1/settings', {}));
    expect(invalid).toMatchObject({ kind: 'invalid', issues: fx.invalidWindow.error.details });
    expect(await failureOf(getJson(c, '/v1/proxy'))).toMatchObject({ kind: 'unavailable', status: 502 });
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterSeconds('3')).toBe(3);
    expect(retryAfterSeconds('Thu, 01 Jan 2026 00:00:10 GMT', Date.parse('2026-01-01T00:00:00Z'))).toBe(10);
    expect(retryAfterSeconds(null)).toBeNull();
    expect(retryAfterSeconds('soon')).toBeNull();
  });
});
