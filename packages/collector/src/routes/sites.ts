import { createSiteSchema } from '@lasttouch/shared/validate';
import { Hono } from 'hono';
import { requireAdmin } from '../auth/admin.js';
import { databaseNames } from '../db/databases.js';
import type { AppEnv } from '../env.js';
import { readJson, SETTINGS_BODY } from '../http/body.js';
import { ApiError, unavailable } from '../http/errors.js';
import { parseOrThrow } from '../http/validate.js';
import { demoSiteSeeded } from '../sites/demo.js';
import { leastFilledDatabase } from '../sites/placement.js';
import { createSite } from '../sites/queries.js';
import { defaultSettings } from '../sites/site.js';

/**
 * `POST /v1/sites` (admin token): creates a site and answers its three keys, once. `database`
 * picks the D1 binding that holds its data; by default the least filled one.
 */
/** `pnpm dev`'s default `dev-admin-token` is accepted only where the demo site is seeded. */
const admin = requireAdmin({ allowShortToken: (c) => demoSiteSeeded(c.env.DB) });

export const sites = new Hono<AppEnv>().post('/', admin, async (c) => {
  const input = parseOrThrow(createSiteSchema, await readJson(c.req.raw, SETTINGS_BODY), 'invalid_request');
  const names = databaseNames(c.env);
  if (input.database !== undefined && !names.includes(input.database)) {
    throw new ApiError(400, 'invalid_request', `database: must be one of ${names.join(', ')}`);
  }
  const settings = {
    ...defaultSettings(input.allowedOrigins),
    ...(input.timezone ? { timezone: input.timezone } : {}),
  };
  try {
    const database = input.database ?? (await leastFilledDatabase(c.env, names));
    return c.json(await createSite(c.env.DB, { name: input.name, settings, database }, Date.now()), 201);
  } catch (err) {
    console.error('site not created', err instanceof Error ? err.message : String(err));
    throw unavailable('The site could not be created; send the request again');
  }
});
