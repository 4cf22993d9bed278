import { hmacSha256Hex, safeEqual } from '../../http/raw-body.js';

/** The header LinkedIn signs every notification with (hex HMAC-SHA256, keyed with the client secret). */
export const LINKEDIN_SIGNATURE_HEADER = 'x-li-signature';

const PREFIX = 'hmacsha256=';

/** LinkedIn's challenge code is a UUID today; anything this plain is answered, anything else refused. */
const CHALLENGE = /^[A-Za-z0-9._-]{1,256}$/;

/**
 * Which reading of LinkedIn's signature a delivery matched (platforms.md §2.2, UNCONFIRMED which one
 * LinkedIn sends): A, the `hmacsha256=` prefix is part of the HMAC input; B, it is part of the header.
 */
export type LinkedInSignatureVariant = 'A' | 'B';

/**
 * Checks X-LI-Signature over the exact request bytes, in constant time, against both readings: an optional
 * `hmacsha256=` prefix is stripped from the header, then the hex is compared with HMAC(secret,
 * "hmacsha256=" + body) (A) and HMAC(secret, body) (B). Both comparisons always run. Upper-case hex is
 * accepted. Returns the variant that matched, or null.
 */
export function verifyLinkedInSignature(
  header: string | undefined,
  body: Buffer,
  clientSecret: string,
): LinkedInSignatureVariant | null {
  if (!header || !clientSecret) return null;
  const trimmed = header.trim();
  const given = (
    trimmed.toLowerCase().startsWith(PREFIX) ? trimmed.slice(PREFIX.length) : trimmed
  ).toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given)) return null;
  const a = safeEqual(given, hmacSha256Hex(clientSecret, Buffer.concat([Buffer.from(PREFIX), body])));
  const b = safeEqual(given, hmacSha256Hex(clientSecret, body));
  return a ? 'A' : b ? 'B' : null;
}

export type ChallengeResult =
  | { ok: true; challengeCode: string; challengeResponse: string }
  | { ok: false; why: 'missing_challenge' | 'bad_challenge' };

/**
 * The validation challenge: `challengeResponse` is the hex HMAC-SHA256 of `challengeCode`, keyed with the
 * app's client secret. LinkedIn repeats it every 2 hours and blocks the endpoint after 3 failures.
 */
export function answerChallenge(challengeCode: string | undefined, clientSecret: string): ChallengeResult {
  if (challengeCode === undefined || challengeCode === '') return { ok: false, why: 'missing_challenge' };
  if (!CHALLENGE.test(challengeCode)) return { ok: false, why: 'bad_challenge' };
  return { ok: true, challengeCode, challengeResponse: hmacSha256Hex(clientSecret, challengeCode) };
}
