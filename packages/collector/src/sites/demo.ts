import { unavailable } from '../http/errors.js';

/** The site `pnpm dev` seeds (scripts/demo-site.json): its keys are public, in the repository. */
const DEMO_SITE_ID = 'demo';

const SEEDED = 'select 1 as seeded from sites where id = ?1';

/**
 * Whether this deployment's directory holds the demo site, which only `pnpm dev` seeds: the
 * sign of local development. `/demo` is served, and the default `dev-admin-token` accepted, only
 * where it holds.
 */
export async function demoSiteSeeded(directory: D1Database): Promise<boolean> {
  try {
    return (await directory.prepare(SEEDED).bind(DEMO_SITE_ID).first()) !== null;
  } catch (err) {
    console.error('demo site lookup failed', err instanceof Error ? err.message : String(err));
    throw unavailable('The collector cannot read its sites right now; retry later');
  }
}
