import { LIMITS } from '@lasttouch/shared';
import { Hono } from 'hono';
import { databaseOf } from '../db/databases.js';
import { claimStatements, stepSeqOf, stepSeqStatement } from '../db/site-steps.js';
import { ApiError, unavailable } from '../http/errors.js';
import { customerHash } from '../identity/customer-hash.js';
import { eraseCustomerStatements, eraseVisitorStatements } from '../identity/erasure.js';
import { requireKey, type SiteEnv } from '../sites/require-key.js';

const ID = /^[A-Za-z0-9._:-]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const LABEL = /^[^\u0000-\u001f\u007f]+$/;

function idParam(value: string, what: string, pattern: RegExp): string {
  if (value.length === 0 || value.length > LIMITS.idLength || !pattern.test(value)) {
    throw new ApiError(
      400,
      'invalid_id',
      `${what}: 1 to ${LIMITS.idLength} characters, as the SDK or the store sent it`,
    );
  }
  return value;
}

/**
 * Runs an erasure as a step of the site (`site_steps`): a consumer step that read the visitor's
 * data before it then fails and is retried without it. Tried a few times if a step got in first.
 */
async function run(db: D1Database, siteId: string, statements: D1PreparedStatement[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const seq = stepSeqOf(await stepSeqStatement(db, siteId).all());
      await db.batch([...claimStatements(db, siteId, seq), ...statements]);
      return;
    } catch (err) {
      if (attempt < 3) continue;
      console.error('erasure failed', err instanceof Error ? err.message : String(err));
      throw unavailable('The erasure could not be completed; send it again');
    }
  }
}

/**
 * `DELETE /v1/visitors/:visitorId` and `DELETE /v1/customers/:customerId` (read key): erasure on
 * request. `204` whether or not anything was stored, so the same request again is a `204`.
 */
export const visitors = new Hono<SiteEnv>().use(requireKey('read')).delete('/:visitorId', async (c) => {
  const id = idParam(c.req.param('visitorId'), 'visitorId', ID);
  const { site } = c.var;
  const db = databaseOf(c.env, site.database);
  await run(db, site.id, eraseVisitorStatements(db, site.id, id));
  return c.body(null, 204);
});

export const customers = new Hono<SiteEnv>().use(requireKey('read')).delete('/:customerId', async (c) => {
  const id = idParam(c.req.param('customerId'), 'customerId', LABEL);
  const { site } = c.var;
  const db = databaseOf(c.env, site.database);
  await run(db, site.id, eraseCustomerStatements(db, site.id, await customerHash(site.customerSecret, id)));
  return c.body(null, 204);
});
