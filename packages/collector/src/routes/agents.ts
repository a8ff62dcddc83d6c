import { agentHoursSchema } from '@lasttouch/shared/validate';
import { Hono } from 'hono';
import { databaseOf } from '../db/databases.js';
import { JSON_BODY, readJson } from '../http/body.js';
import { ApiError, unavailable } from '../http/errors.js';
import { parseOrThrow } from '../http/validate.js';
import { setAgentHoursStatement } from '../links/queries.js';
import { requireKey, type SiteEnv } from '../sites/require-key.js';

/**
 * `PUT /v1/agents/:agent/hours` (read key): an agent's production hours on a local day, for the
 * chat stats' `turnoverPerHour`. The latest value for a day stands.
 */
export const agents = new Hono<SiteEnv>().use(requireKey('read')).put('/:agent/hours', async (c) => {
  const agent = c.req.param('agent');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (agent.length === 0 || agent.length > 128 || /[\u0000-\u001f\u007f]/.test(agent)) {
    throw new ApiError(
      400,
      'invalid_request',
      'agent: 1 to 128 printable characters, as given when the links were issued',
    );
  }
  const input = parseOrThrow(agentHoursSchema, await readJson(c.req.raw, JSON_BODY), 'invalid_request');
  const { site } = c.var;
  try {
    await setAgentHoursStatement(databaseOf(c.env, site.database), site.id, agent, input.date, input.hours).run();
  } catch (err) {
    console.error('agent hours not saved', err instanceof Error ? err.message : String(err));
    throw unavailable('The hours could not be saved; send them again');
  }
  return c.json({ agent, ...input });
});
