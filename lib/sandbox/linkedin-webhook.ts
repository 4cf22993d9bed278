import { hmacSha256Hex } from '../http/raw-body.js';
import type { SandboxLinkedInResponse } from './linkedin-api.js';

/** One lead notification as LinkedIn posts it. */
export interface LinkedInNotification {
  type: 'LEAD_ACTION';
  leadGenFormResponse: string;
  leadGenForm: string;
  owner: Record<string, string>;
  associatedEntity?: Record<string, string>;
  leadType: string;
  leadAction: 'CREATED' | 'DELETED';
  occurredAt: number;
}

/** The notification for a response (its URN, its versioned form's URN, its owner), CREATED by default. */
export function leadNotification(
  response: Pick<
    SandboxLinkedInResponse,
    'id' | 'versionedLeadGenFormUrn' | 'owner' | 'leadType' | 'associatedEntity'
  >,
  action: 'CREATED' | 'DELETED' = 'CREATED',
  occurredAt = Date.now(),
): LinkedInNotification {
  const creative = response.associatedEntity?.associatedCreative;
  return {
    type: 'LEAD_ACTION',
    leadGenFormResponse: `urn:li:leadGenFormResponse:${response.id}`,
    leadGenForm: response.versionedLeadGenFormUrn,
    owner: response.owner,
    // Third-party examples name the key sponsoredCreative here (the response says associatedCreative).
    ...(creative ? { associatedEntity: { sponsoredCreative: creative } } : {}),
    leadType: response.leadType,
    leadAction: action,
    occurredAt,
  };
}

/** The body: one notification as an object (LinkedIn's documented form), several as an array. */
export function linkedInWebhookBody(notifications: readonly LinkedInNotification[]): string {
  return JSON.stringify(notifications.length === 1 ? notifications[0] : notifications);
}

/**
 * X-LI-Signature, in either reading LinkedIn's docs allow: A = hex HMAC(secret, "hmacsha256=" + body);
 * B = "hmacsha256=" + hex HMAC(secret, body).
 */
export function signLinkedInBody(
  body: string | Buffer,
  clientSecret: string,
  variant: 'A' | 'B' = 'A',
): string {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return variant === 'A'
    ? hmacSha256Hex(clientSecret, Buffer.concat([Buffer.from('hmacsha256='), bytes]))
    : `hmacsha256=${hmacSha256Hex(clientSecret, bytes)}`;
}

/** The challengeResponse LinkedIn expects for a challenge code. */
export const linkedInChallengeResponse = (code: string, clientSecret: string) =>
  hmacSha256Hex(clientSecret, code);

export interface SendLinkedInOptions {
  variant?: 'A' | 'B';
  /** Replace the computed signature header (null: send none). */
  signature?: string | null;
  /** Send one notification as a one-element array instead of an object. */
  asArray?: boolean;
}

/** Posts a correctly signed delivery to a hub, like LinkedIn does; resolves to the hub's answer. */
export async function sendLinkedInWebhook(
  hubUrl: string,
  notifications: readonly LinkedInNotification[],
  clientSecret: string,
  options: SendLinkedInOptions = {},
): Promise<{ status: number; body: string }> {
  const body = options.asArray ? JSON.stringify(notifications) : linkedInWebhookBody(notifications);
  const signature =
    options.signature === undefined
      ? signLinkedInBody(body, clientSecret, options.variant)
      : options.signature;
  const res = await fetch(`${hubUrl.replace(/\/+$/, '')}/webhooks/linkedin`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature === null ? {} : { 'x-li-signature': signature }),
    },
    body,
  });
  return { status: res.status, body: await res.text() };
}
