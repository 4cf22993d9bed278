import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HubDeps } from '../../deps.js';
import { header, rawBody } from '../../http/raw-body.js';
import { errorResponse, type HttpResult, json } from '../../http/responses.js';
import { ingest } from '../../pipeline/ingest.js';
import { itemReplayOf, type QuarantineReplayer, quarantineDelivery } from '../../pipeline/quarantine.js';
import { type DeletionOutcome, recordLinkedInDeletion } from './deletion.js';
import { type LinkedInLeadNotification, parseLinkedInWebhook } from './parse.js';
import {
  answerChallenge,
  LINKEDIN_SIGNATURE_HEADER,
  type LinkedInSignatureVariant,
  verifyLinkedInSignature,
} from './verify.js';

/** Leads handled at once per delivery. */
const CONCURRENCY = 16;

/**
 * GET /webhooks/linkedin?challengeCode=…: the validation challenge, answered 200 JSON with the HMAC of the
 * code. LinkedIn repeats it every 2 hours and blocks the URL after 3 failures, so it reads nothing but
 * the (cached) client secret.
 */
export function createLinkedInChallengeHandler(deps: HubDeps) {
  return async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const secret = await deps.secrets.get('LINKEDIN_CLIENT_SECRET');
    if (!secret) {
      deps.logger.error('LINKEDIN_CLIENT_SECRET is not configured; linkedin challenge refused');
      return errorResponse(503, 'not_configured', 'LinkedIn webhooks are not configured on this hub');
    }
    const query = event.queryStringParameters ?? {};
    const result = answerChallenge(query.challengeCode, secret);
    if (!result.ok) {
      deps.logger.warn('linkedin challenge refused', { why: result.why });
      return errorResponse(400, result.why, 'challengeCode is missing or malformed');
    }
    // Parent-child apps send applicationId; this hub answers with its one client secret.
    deps.logger.info('linkedin challenge answered', { applicationId: query.applicationId });
    return json(200, { challengeCode: result.challengeCode, challengeResponse: result.challengeResponse });
  };
}

/**
 * POST /webhooks/linkedin: signed lead notifications. CREATED gets its receipt (one per lead form response
 * id, a conditional put, so redeliveries are recognised) and a capture message; DELETED marks the lead
 * deleted (or leaves a tombstone) and publishes LeadDeleted; a notification without a usable lead is
 * quarantined raw. 200 only once every notification is durable, otherwise 500 and LinkedIn redelivers.
 */
export function createLinkedInDeliveryHandler(deps: HubDeps) {
  const { logger } = deps;
  return async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const secret = await deps.secrets.get('LINKEDIN_CLIENT_SECRET');
    if (!secret) {
      logger.error('LINKEDIN_CLIENT_SECRET is not configured; linkedin delivery refused');
      return errorResponse(503, 'not_configured', 'LinkedIn webhooks are not configured on this hub');
    }
    const body = rawBody(event);
    const signature = header(event, LINKEDIN_SIGNATURE_HEADER);
    const variant = verifyLinkedInSignature(signature, body, secret);
    if (!variant) {
      logger.warn('linkedin signature rejected', {
        hasSignature: signature !== undefined,
        bytes: body.length,
      });
      return errorResponse(401, 'bad_signature', 'X-LI-Signature is missing or does not match');
    }
    // Which reading LinkedIn uses is unconfirmed: the log (and each receipt) says, so it can be pinned.
    logger.info('linkedin signature verified', { signatureVariant: variant });

    const parsed = parseLinkedInWebhook(body);
    if (!parsed.ok) {
      logger.warn('linkedin delivery malformed', { message: parsed.message });
      return errorResponse(400, 'malformed_body', parsed.message);
    }

    const outcomes = await handleAll(deps, parsed.notifications, variant);
    const failed = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as Error] : []));
    try {
      await quarantineDelivery(
        deps,
        'linkedin',
        parsed.unreadable.map((u) => ({ ...u, context: { signatureVariant: variant } })),
      );
    } catch (error) {
      failed.push(error as Error);
    }
    if (failed.length > 0) {
      logger.error('linkedin delivery not durable; asking LinkedIn to retry', {
        failed: failed.length,
        total: parsed.notifications.length + parsed.unreadable.length,
        error: failed[0]?.name,
      });
      return errorResponse(500, 'unavailable', 'Some notifications could not be stored; retry the delivery');
    }
    const results = outcomes.map((o) => (o as PromiseFulfilledResult<Outcome>).value);
    const count = (what: Outcome) => results.filter((r) => r === what).length;
    const summary = {
      accepted: count('accepted'),
      duplicates: count('duplicate') + parsed.repeated,
      deleted: count('deleted') + count('tombstoned'),
      ignored: parsed.ignored,
      quarantined: parsed.unreadable.length,
    };
    logger.info('linkedin delivery handled', {
      responseIds: parsed.notifications.map((n) => `${n.responseId}:${n.action}`).slice(0, 50),
      signatureVariant: variant,
      ...summary,
      ...(parsed.leftOut.length > 0 ? { fieldsLeftOut: parsed.leftOut } : {}),
    });
    return json(200, { status: 'ok', ...summary, signatureVariant: variant });
  };
}

/** A quarantined LinkedIn notification, read again as a delivery of its own (with its signature reading). */
export const replayQuarantinedLinkedInItem: QuarantineReplayer = async (deps, kept) => {
  const parsed = parseLinkedInWebhook(Buffer.from(JSON.stringify(kept.item)));
  if (!parsed.ok) return { leads: [], ignored: 0, unreadable: parsed.message };
  const variant = kept.context?.signatureVariant === 'B' ? 'B' : 'A';
  return itemReplayOf(await handleAll(deps, parsed.notifications, variant), {
    leads: parsed.notifications.map((n) => n.responseId),
    ignored: parsed.ignored,
    unreadable: parsed.unreadable,
  });
};

type Outcome = 'accepted' | 'duplicate' | DeletionOutcome;

async function handleAll(
  deps: Pick<HubDeps, 'store' | 'receipts' | 'captureQueue' | 'clock' | 'bus'>,
  notifications: readonly LinkedInLeadNotification[],
  signatureVariant: LinkedInSignatureVariant,
): Promise<PromiseSettledResult<Outcome>[]> {
  const handle = async (n: LinkedInLeadNotification): Promise<Outcome> => {
    const payload: LinkedInLeadNotification = { ...n, signatureVariant };
    if (n.action === 'DELETED') return recordLinkedInDeletion(deps, payload);
    const outcome = await ingest(deps, { source: 'linkedin', platformLeadId: n.responseId, payload });
    return outcome.status;
  };
  const results: PromiseSettledResult<Outcome>[] = [];
  // All creations, then all deletions: one delivery holding both for a lead must end with it deleted.
  for (const action of ['CREATED', 'DELETED'] as const) {
    const phase = notifications.filter((n) => n.action === action);
    for (let i = 0; i < phase.length; i += CONCURRENCY) {
      results.push(...(await Promise.allSettled(phase.slice(i, i + CONCURRENCY).map(handle))));
    }
  }
  return results;
}
