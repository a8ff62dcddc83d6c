import { createSiteSchema } from '@lasttouch/shared/validate';
import { Hono } from 'hono';
import { requireAdmin } from '../auth/admin.js';
import { databaseNames } from '../db/databases.js';
import type { AppEnv } from '../env.js';
import { readJson, SETTINGS_BODY } from '../http/body.js';
import { ApiError } from '../http/errors.js';
import { parseOrThrow } from '../http/validate.js';
import { leastFilledDatabase } from '../sites/placement.js';
import { createSite } from '../sites/queries.js';
import { defaultSettings } from '../sites/site.js';

/**
 * `POST /v1/sites` (admin token): creates a site and answers its three keys, once. `database`
 * picks the D1 binding that holds its data; by default the least filled one.
 */
export const sites = new Hono<AppEnv>().post('/', requireAdmin(), async (c) => {
  const input = parseOrThrow(createSiteSchema, await readJson(c.req.raw, SETTINGS_BODY), 'invalid_request');
  const names = databaseNames(c.env);
  if (input.database !== undefined && !names.includes(input.database)) {
    throw new ApiError(400, 'invalid_request', `database: must be one of ${names.join(', ')}`);
  }
  const database = input.database ?? (await leastFilledDatabase(c.env, names));
  const settings = {
    ...defaultSettings(input.allowedOrigins),
    ...(input.timezone ? { timezone: input.timezone } : {}),
  };
  return c.json(await createSite(c.env.DB, { name: input.name, settings, database }, Date.now()), 201);
});
