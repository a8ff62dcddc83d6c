import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

describe('app', () => {
  it('answers health and unknown routes in the error format', async () => {
    const ok = await exports.default.fetch('https://collector.test/health');
    expect(await ok.json()).toEqual({ ok: true });
    const missing = await exports.default.fetch('https://collector.test/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('runs against a migrated local D1', async () => {
    const { results } = await env.DB.prepare(
      "select name from sqlite_master where type = 'table' and name = 'events'",
    ).all();
    expect(results).toHaveLength(1);
  });
});
