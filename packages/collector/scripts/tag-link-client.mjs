// The pure part of `tag-link`: argument parsing and the API call, importable by tests.

const USAGE =
  'usage: tag-link --url URL --conversation ID --channel NAME [--agent NAME] [--api BASE_URL]\n' +
  'environment: LASTTOUCH_AGENT_KEY (agent or read key), LASTTOUCH_API (collector base url, or --api)';

/**
 * Parses `--name value` / `--name=value` arguments.
 * @param {string[]} argv arguments after the script name
 * @param {Record<string, string | undefined>} env
 * @returns {{ ok: true, options: { api: string, key: string, body: { url: string, conversation: string, channel: string, agent?: string } } } | { ok: false, message: string }}
 */
export function parseArgs(argv, env) {
  const values = {};
  for (let i = 0; i < argv.length; i++) {
    const match = /^--(url|conversation|channel|agent|api)(?:=(.*))?$/s.exec(argv[i]);
    if (!match) return { ok: false, message: `unknown argument ${argv[i]}\n${USAGE}` };
    const value = match[2] ?? argv[++i];
    if (value === undefined) return { ok: false, message: `--${match[1]} needs a value\n${USAGE}` };
    values[match[1]] = value;
  }
  const api = values.api ?? env.LASTTOUCH_API;
  const key = env.LASTTOUCH_AGENT_KEY;
  const missing = ['url', 'conversation', 'channel'].filter((name) => !values[name]);
  if (missing.length > 0) return { ok: false, message: `missing ${missing.map((m) => `--${m}`).join(', ')}\n${USAGE}` };
  if (!api) return { ok: false, message: `set LASTTOUCH_API or pass --api\n${USAGE}` };
  if (!key) return { ok: false, message: `set LASTTOUCH_AGENT_KEY\n${USAGE}` };
  const body = { url: values.url, conversation: values.conversation, channel: values.channel };
  if (values.agent) body.agent = values.agent;
  return { ok: true, options: { api, key, body } };
}

/**
 * Calls `POST /v1/links`; resolves to the tagged url, or rejects with the API's error message.
 * @param {{ api: string, key: string, body: object }} options
 * @param {typeof fetch} fetchFn
 */
export async function requestLink({ api, key, body }, fetchFn = fetch) {
  const response = await fetchFn(new URL('/v1/links', api).toString(), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (response.status !== 201 || typeof data?.url !== 'string') {
    const detail = typeof data?.error?.message === 'string' ? data.error.message : 'unexpected answer';
    throw new Error(`${response.status} ${data?.error?.code ?? ''}: ${detail}`.replace(' :', ':'));
  }
  return data.url;
}
