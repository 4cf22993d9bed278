import { createHash } from 'node:crypto';
import { hmacSha256Hex, safeEqual } from '../../http/raw-body.js';

/** The signature header one implementer reports for lead webhooks (UNCONFIRMED, platforms.md §3.2). */
export const TIKTOK_SIGNATURE_HEADER = 'x-open-signature';

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The path token of POST /webhooks/tiktok/{token}, compared as SHA-256 digests in constant time, so
 * neither its content nor its length leaks.
 */
export function checkPathToken(given: string | undefined, expected: string): boolean {
  if (given === undefined || given === '' || !expected) return false;
  return safeEqual(digest(given), digest(expected));
}

/**
 * TikTok reportedly signs a unicode-escaped form of the payload (`ä` as `\u00e4`). The escaped form of the
 * raw text, for a body sent with raw UTF-8.
 */
export const escapeUnicode = (text: string): string =>
  text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Which bytes a valid X-Open-Signature covered: the raw body, or its unicode-escaped form. */
export type SignedOver = 'raw' | 'escaped';

/**
 * Checks `X-Open-Signature: <hex HMAC-SHA256(app secret, payload)>` in constant time, over the exact
 * request bytes and, when they differ, over their unicode-escaped form. Returns what matched, or null.
 */
export function checkOpenSignature(header: string, body: Buffer, appSecret: string): SignedOver | null {
  const given = header
    .trim()
    .replace(/^sha256=/i, '')
    .toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given) || !appSecret) return null;
  if (safeEqual(given, hmacSha256Hex(appSecret, body))) return 'raw';
  const text = body.toString('utf8');
  const escaped = escapeUnicode(text);
  if (escaped !== text && safeEqual(given, hmacSha256Hex(appSecret, escaped))) return 'escaped';
  return null;
}
