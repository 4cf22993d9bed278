import { createHash } from 'node:crypto';
import { safeEqual } from '../../http/raw-body.js';

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Google Ads sends no signature: the Webhook key typed into the lead form comes back inside the body as
 * `google_key`. Compared exactly (case-sensitive) as SHA-256 digests in constant time, so neither its
 * content nor its length leaks.
 */
export function checkGoogleKey(given: unknown, expected: string | undefined): boolean {
  if (typeof given !== 'string' || given === '' || !expected) return false;
  return safeEqual(digest(given), digest(expected));
}
