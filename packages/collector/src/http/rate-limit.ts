import { sha256Hex } from '../crypto/hash.js';
import { ApiError } from './errors.js';

/**
 * Counts one request against `key` and refuses it with 429 and `Retry-After` past the limit.
 * Nothing is read or stored for a refused request, so the client's retry is the whole recovery.
 * `periodSeconds` is the limiter's period in wrangler.jsonc: the earliest a refused client may retry.
 */
export async function enforceRateLimit(
  limiter: RateLimit,
  key: string,
  what: string,
  periodSeconds = 10,
): Promise<void> {
  const { success } = await limiter.limit({ key });
  if (!success) throw rateLimited(what, periodSeconds);
}

const rateLimited = (what: string, periodSeconds: number): ApiError =>
  new ApiError(429, 'rate_limited', `Too many requests for this ${what}; retry later`, undefined, {
    'Retry-After': String(periodSeconds),
  });

/** The hextets of an IPv6 address (8 numbers), or `undefined` if it is not one. */
function hextets(address: string): number[] | undefined {
  const halves = address.toLowerCase().split('::');
  if (halves.length > 2) return undefined;
  const parts = halves.map((h) => (h === '' ? [] : h.split(':')));
  // An embedded IPv4 address (`::ffff:192.0.2.1`) counts as two hextets.
  const last = parts.at(-1)!;
  const v4 = last.at(-1)?.includes('.') ? last.pop()!.split('.').map(Number) : undefined;
  if (v4) {
    if (v4.length !== 4 || v4.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return undefined;
    last.push(((v4[0]! << 8) | v4[1]!).toString(16), ((v4[2]! << 8) | v4[3]!).toString(16));
  }
  if (parts.some((p) => p.some((h) => !/^[0-9a-f]{1,4}$/.test(h)))) return undefined;
  const [head, tail = []] = parts as [string[], string[]?];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  return [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill('0'), ...tail].map((h) =>
    Number.parseInt(h, 16),
  );
}

/**
 * The network a client is limited as: an IPv4 address itself; an IPv6 address by its /64 (one
 * subscriber's network, whose addresses a client can rotate at will; an IPv4-mapped address as
 * its IPv4 address). `undefined` for a loopback address.
 */
export function clientNetwork(address: string): string | undefined {
  const v6 = address.includes(':') ? hextets(address) : undefined;
  if (v6) {
    if (v6.slice(0, 5).every((h) => h === 0) && v6[5] === 0xffff) {
      return clientNetwork(`${v6[6]! >> 8}.${v6[6]! & 255}.${v6[7]! >> 8}.${v6[7]! & 255}`);
    }
    if (v6.slice(0, 7).every((h) => h === 0) && v6[7] === 1) return undefined;
    return `${v6
      .slice(0, 4)
      .map((h) => h.toString(16))
      .join(':')}::/64`;
  }
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address)) return undefined;
  return address;
}

/**
 * Whether a request comes from this machine: `wrangler dev` reports loopback as the connecting
 * address; Cloudflare's edge never does for a request from the internet.
 */
export function fromLoopback(request: Request): boolean {
  const address = request.headers.get('CF-Connecting-IP')?.trim();
  return address !== undefined && address !== '' && clientNetwork(address) === undefined;
}

/**
 * What a request is rate-limited as, whatever it sends: the address Cloudflare's edge saw it
 * connect from (`CF-Connecting-IP`, which the edge sets and a client cannot choose), hashed so
 * that no address reaches a limiter key, a log line or the database.
 *
 * `undefined`, and no address limit, for a request that did not come through the edge: without
 * the header (workerd tests, a service binding of the operator's own worker) or from loopback
 * (`wrangler dev` on this machine: local runs, the e2e suite and the benches). The edge never
 * reports a loopback address for a request from the internet.
 */
export async function addressKey(request: Request): Promise<string | undefined> {
  const address = request.headers.get('CF-Connecting-IP')?.trim();
  const network = address ? clientNetwork(address) : undefined;
  return network === undefined ? undefined : `a:${(await sha256Hex(`lasttouch-address:${network}`)).slice(0, 32)}`;
}

/** Period of `AUTH_FAILURE_LIMITER` in wrangler.jsonc, seconds. */
const AUTH_FAILURE_PERIOD_SECONDS = 60;
/** Addresses this isolate refuses before any lookup, until the time (ms) each maps to. */
const blocked = new Map<string, number>();
/** Bounds the map: past it, the oldest entries go (the shared limiter still counts them). */
const MAX_BLOCKED = 10_000;

/**
 * Refuses, before any D1 read, an address whose failed authentications (unknown, expired or
 * wrong-kind keys) went past `AUTH_FAILURE_LIMITER` in this isolate's knowledge. The platform's
 * limiter can only count, not be asked, so the refusal it answers is remembered here for its
 * period; another isolate learns it on the address's next failure.
 */
export function refuseBlockedAddress(address: string | undefined, now: number): void {
  if (address === undefined) return;
  const until = blocked.get(address);
  if (until === undefined) return;
  if (until > now) throw rateLimited('address', Math.ceil((until - now) / 1000));
  blocked.delete(address);
}

/**
 * Counts a failed authentication of `address` (after the D1 read that found the key unknown or
 * of the wrong kind); past the limit, answers 429 instead and blocks the address for the period.
 */
export async function countAuthFailure(limiter: RateLimit, address: string | undefined, now: number): Promise<void> {
  if (address === undefined) return;
  const { success } = await limiter.limit({ key: address });
  if (success) return;
  if (blocked.size >= MAX_BLOCKED) blocked.delete(blocked.keys().next().value!);
  blocked.set(address, now + AUTH_FAILURE_PERIOD_SECONDS * 1000);
  throw rateLimited('address', AUTH_FAILURE_PERIOD_SECONDS);
}
