import { createSiteSchema } from '@lasttouch/shared/validate';
import { Hono } from 'hono';
import { requireAdmin } from '../auth/admin.js';
import { createDb } from '../db/client.js';
import type { AppEnv } from '../env.js';
import { readJson, SETTINGS_BODY } from '../http/body.js';
import { parseOrThrow } from '../http/validate.js';
import { createSite } from '../sites/queries.js';

/** `POST /v1/sites` (admin token): creates a site and answers its three keys, once. */
export const sites = new Hono<AppEnv>().post('/', requireAdmin(), async (c) => {
  const input = parseOrThrow(createSiteSchema, await readJson(c.req.raw, SETTINGS_BODY), 'invalid_request');
  return c.json(await createSite(createDb(c.env.DB), input, Date.now()), 201);
});
