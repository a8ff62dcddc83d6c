// `pnpm --filter @lasttouch/collector replay`: sends the work messages parked in `dead_letters`
// (those the work queue gave up on after its retries) back to the work queue, through the
// collector's admin route `POST /v1/admin/dead-letters/replay`, until none remain.
//
//   COLLECTOR_URL  the collector (default http://127.0.0.1:$PORT, PORT 8787: `pnpm dev`)
//   ADMIN_TOKEN    its admin token (default `dev-admin-token` for a loopback collector, as `pnpm dev` sets it)
//   --url URL      same as COLLECTOR_URL
//
// Replaying is safe to repeat: a message whose work was applied before it was parked finds its
// events stored and its orders credited, so nothing counts twice (docs/reliability.md).
const args = process.argv.slice(2);
const flag = args.indexOf('--url');
const url =
  (flag >= 0 ? args[flag + 1] : process.env.COLLECTOR_URL) || `http://127.0.0.1:${process.env.PORT || '8787'}`;
const loopback = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(url);
const token = process.env.ADMIN_TOKEN || (loopback ? 'dev-admin-token' : '');
if (!token) {
  console.error(`replay: set ADMIN_TOKEN (the collector's admin token) to replay dead letters on ${url}`);
  process.exit(2);
}

let total = 0;
for (;;) {
  let res;
  try {
    res = await fetch(new URL('/v1/admin/dead-letters/replay', url), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
  } catch (err) {
    console.error(`replay: ${url} cannot be reached (${err.cause?.code ?? err.message})`);
    process.exit(1);
  }
  const text = await res.text();
  if (res.status === 503) {
    // The queue or D1 refused for a moment; what was sent stays sent, the rest stays parked.
    const wait = Number(res.headers.get('retry-after') ?? 5);
    console.error(`replay: ${text}; retrying in ${wait} s`);
    await new Promise((r) => setTimeout(r, wait * 1000));
    continue;
  }
  if (res.status !== 200) {
    console.error(`replay: ${url} answered ${res.status}: ${text}`);
    process.exit(1);
  }
  const { replayed, remaining } = JSON.parse(text);
  total += replayed;
  if (remaining === 0 || replayed === 0) {
    console.log(`replay: ${total} message(s) sent back to the work queue; ${remaining} left in dead_letters`);
    process.exit(remaining === 0 ? 0 : 1);
  }
}
