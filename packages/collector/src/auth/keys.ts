import { KEY_PREFIXES, type KeyKind } from '@lasttouch/shared';
import { randomToken } from '../crypto/base64url.js';
import { sha256Hex } from '../crypto/hash.js';

/** A new key of the given kind: its prefix makes a leaked key recognizable (`ltr_…` is a read key). */
export const generateKey = (kind: KeyKind): string => `${KEY_PREFIXES[kind]}${randomToken(24)}`;

/**
 * The stored form of a key. Keys are looked up by hash, so a secret is never compared byte by
 * byte and the database never holds one in clear.
 */
export const hashKey = (key: string): Promise<string> => sha256Hex(key);
