import { createHmac } from 'node:crypto';
import { safeEqual } from '../../http/raw-body.js';

/** Slack's replay window: a request older (or newer) than this is refused. */
export const SLACK_MAX_SKEW_SECONDS = 5 * 60;

export type SlackSignatureCheck =
  | { ok: true }
  | { ok: false; reason: 'missing_headers' | 'stale_timestamp' | 'bad_signature' };

/** `v0=` + hex HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`), Slack's request signature. */
export function slackSignature(secret: string, timestamp: string, body: Buffer | string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
}

/**
 * Verifies X-Slack-Signature over the raw request bytes (never re-serialised), in constant time, with
 * X-Slack-Request-Timestamp within five minutes of `now`.
 */
export function verifySlackRequest(options: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  body: Buffer;
  now: Date;
}): SlackSignatureCheck {
  const { timestamp, signature } = options;
  if (!timestamp || !signature) return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'stale_timestamp' };
  const skew = Math.abs(options.now.getTime() / 1000 - Number(timestamp));
  if (skew > SLACK_MAX_SKEW_SECONDS) return { ok: false, reason: 'stale_timestamp' };
  const expected = slackSignature(options.secret, timestamp, options.body);
  return safeEqual(signature, expected) ? { ok: true } : { ok: false, reason: 'bad_signature' };
}
