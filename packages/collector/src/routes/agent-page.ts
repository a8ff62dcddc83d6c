import { Hono } from 'hono';
import { sha256Base64 } from '../crypto/hash.js';
import type { AppEnv } from '../env.js';
import { htmlSecurityHeaders } from '../http/security-headers.js';
import { AGENT_HTML, AGENT_SCRIPT, AGENT_STYLE } from '../links/agent-page-html.js';

let csp: Promise<string> | undefined;

/**
 * Only the page's own inline script and style run (by hash), it may only call its own origin,
 * and no other site may frame it (a framed key field is a clickjacking target).
 */
const agentCsp = (): Promise<string> => {
  csp ??= Promise.all([sha256Base64(AGENT_SCRIPT), sha256Base64(AGENT_STYLE)]).then(
    ([script, style]) =>
      `default-src 'none'; script-src 'sha256-${script}'; style-src 'sha256-${style}'; connect-src 'self'; ` +
      "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  );
  return csp;
};

/** `GET /agent`: the page agents use to tag links by hand. */
export const agentPage = new Hono<AppEnv>().get('/', async (c) =>
  c.html(AGENT_HTML, 200, {
    ...htmlSecurityHeaders(await agentCsp(), 'no-referrer'),
    'Cache-Control': 'no-cache',
  }),
);
