import { type CreateSiteResponse, KEY_KINDS, type KeyKind, type Settings } from '@lasttouch/shared';
import { generateKey, hashKey } from '../auth/keys.js';
import { randomToken } from '../crypto/base64url.js';
import { type Site, withDefaults } from './site.js';

// The directory (sites, keys, secrets) lives in the `DB` database, whichever database holds a
// site's data.

interface SiteRow {
  id: string;
  name: string;
  settings: string;
  database: string;
  settingsVersion: number;
}

interface SecretRow {
  siteId: string;
  purpose: 'link' | 'customer';
  keyId: number;
  secret: string;
}

const SITE_COLUMNS = `s.id, s.name, s.settings, s.database, s.settings_version as settingsVersion`;
const SECRET_COLUMNS = `site_id as siteId, purpose, key_id as keyId, secret`;

function toSite(row: SiteRow, secrets: SecretRow[]): Site {
  const mine = secrets.filter((s) => s.siteId === row.id);
  return {
    id: row.id,
    name: row.name,
    settings: withDefaults(JSON.parse(row.settings) as Partial<Settings>),
    database: row.database,
    settingsVersion: row.settingsVersion,
    linkSecrets: new Map(mine.filter((s) => s.purpose === 'link').map((s) => [s.keyId, s.secret])),
    customerSecret: mine.find((s) => s.purpose === 'customer')?.secret ?? '',
  };
}

/** A resolved API key: its site and kind. */
export interface ResolvedKey {
  site: Site;
  kind: KeyKind;
  /** When a replaced key stops working (UTC ms); `null` while it is current. */
  expiresAt: number | null;
}

const KEY_SITE = `select ${SITE_COLUMNS}, k.kind, k.expires_at as expiresAt from api_keys k join sites s on s.id = k.site_id
  where k.hash = ?1 and (k.expires_at is null or k.expires_at > ?2)`;
const KEY_SECRETS = `select ${SECRET_COLUMNS} from site_secrets
  where site_id = (select site_id from api_keys where hash = ?1)`;

/**
 * Resolves a key to its site and kind in one D1 call; `undefined` for an unknown or expired key.
 *
 * @example await resolveKey(env.DB, 'ltr_…', Date.now()) // { site, kind: 'read' }
 */
export async function resolveKey(directory: D1Database, key: string, now: number): Promise<ResolvedKey | undefined> {
  const hash = await hashKey(key);
  const [sites, secrets] = await directory.batch<SiteRow & { kind: KeyKind; expiresAt: number | null }>([
    directory.prepare(KEY_SITE).bind(hash, now),
    directory.prepare(KEY_SECRETS).bind(hash),
  ]);
  const row = sites?.results[0];
  if (!row) return undefined;
  return {
    site: toSite(row, (secrets?.results ?? []) as unknown as SecretRow[]),
    kind: row.kind,
    expiresAt: row.expiresAt,
  };
}

const SITES_BY_ID = `select ${SITE_COLUMNS} from sites s where s.id in (select value from json_each(?1))`;
const SECRETS_BY_SITE = `select ${SECRET_COLUMNS} from site_secrets where site_id in (select value from json_each(?1))`;

/** Sites by id, in one D1 call (the consumer loads every site of a queue batch at once). */
export async function loadSites(directory: D1Database, ids: string[]): Promise<Map<string, Site>> {
  const json = JSON.stringify(ids);
  const [sites, secrets] = await directory.batch([
    directory.prepare(SITES_BY_ID).bind(json),
    directory.prepare(SECRETS_BY_SITE).bind(json),
  ]);
  const secretRows = (secrets?.results ?? []) as unknown as SecretRow[];
  return new Map(((sites?.results ?? []) as unknown as SiteRow[]).map((r) => [r.id, toSite(r, secretRows)]));
}

/**
 * Creates a site, its three keys and its secrets in one transaction, in `database`. The keys are
 * returned once: only their hashes are stored.
 */
export async function createSite(
  directory: D1Database,
  input: { name: string; settings: Settings; database: string },
  now: number,
): Promise<CreateSiteResponse> {
  const siteId = randomToken(12);
  const keys = { write: generateKey('write'), agent: generateKey('agent'), read: generateKey('read') };
  const statements = [
    directory
      .prepare(
        'insert into sites (id, name, settings, database, settings_version, created_at) values (?, ?, ?, ?, 0, ?)',
      )
      .bind(siteId, input.name, JSON.stringify(input.settings), input.database, now),
    ...(await Promise.all(
      KEY_KINDS.map(async (kind) =>
        directory
          .prepare('insert into api_keys (hash, site_id, kind, created_at) values (?, ?, ?, ?)')
          .bind(await hashKey(keys[kind]), siteId, kind, now),
      ),
    )),
    ...(['link', 'customer'] as const).map((purpose) =>
      directory
        .prepare('insert into site_secrets (site_id, purpose, key_id, secret, created_at) values (?, ?, 1, ?, ?)')
        .bind(siteId, purpose, randomToken(32), now),
    ),
  ];
  await directory.batch(statements);
  return { siteId, writeKey: keys.write, agentKey: keys.agent, readKey: keys.read };
}

const SAVE_SETTINGS = `update sites set settings = ?2, settings_version = settings_version + ?3 where id = ?1
  returning settings_version as version`;

/**
 * Saves settings; a change that can move credit (`moved`) bumps the settings version, which the
 * re-attribution sweep works towards. Answers the version.
 */
export const saveSettingsStatement = (
  directory: D1Database,
  siteId: string,
  settings: Settings,
  moved: boolean,
): D1PreparedStatement => directory.prepare(SAVE_SETTINGS).bind(siteId, JSON.stringify(settings), moved ? 1 : 0);
