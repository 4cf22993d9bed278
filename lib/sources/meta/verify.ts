import { createHash } from 'node:crypto';
import { safeEqual, verifySha256Signature } from '../../http/raw-body.js';

/** The header Meta signs every delivery with: `sha256=` + hex HMAC-SHA256(app secret, raw body). */
export const META_SIGNATURE_HEADER = 'x-hub-signature-256';

/** Meta's challenge is an integer today; anything this plain is echoed, anything else refused. */
const CHALLENGE = /^[A-Za-z0-9._-]{1,256}$/;

/**
 * Checks X-Hub-Signature-256 over the exact request bytes (Meta signs its escaped-unicode form, which
 * re-serialised JSON would not reproduce), in constant time. Upper-case hex is accepted.
 */
export function verifyMetaSignature(header: string | undefined, body: Buffer, appSecret: string): boolean {
  if (!appSecret) return false;
  return verifySha256Signature(header, body, appSecret);
}

export type HandshakeResult = { ok: true; challenge: string } | { ok: false; why: string };

/**
 * The subscription handshake: `hub.mode=subscribe`, `hub.verify_token` equal to ours, and a challenge to
 * echo. Tokens are compared as SHA-256 digests in constant time, so neither content nor length leaks.
 */
export function answerHandshake(
  query: Record<string, string | undefined> | undefined,
  verifyToken: string | undefined,
): HandshakeResult {
  if (!verifyToken) return { ok: false, why: 'verify_token_not_configured' };
  const mode = query?.['hub.mode'];
  const token = query?.['hub.verify_token'];
  const challenge = query?.['hub.challenge'];
  if (mode !== 'subscribe') return { ok: false, why: 'wrong_mode' };
  if (token === undefined || !safeEqual(digest(token), digest(verifyToken))) {
    return { ok: false, why: 'wrong_verify_token' };
  }
  if (challenge === undefined || !CHALLENGE.test(challenge)) return { ok: false, why: 'bad_challenge' };
  return { ok: true, challenge };
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex');
