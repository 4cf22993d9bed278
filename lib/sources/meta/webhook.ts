import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HubDeps } from '../../deps.js';
import { header, rawBody } from '../../http/raw-body.js';
import { errorResponse, type HttpResult, json } from '../../http/responses.js';
import { type IngestOutcome, ingest } from '../../pipeline/ingest.js';
import { itemReplayOf, type QuarantineReplayer, quarantineDelivery } from '../../pipeline/quarantine.js';
import { type MetaLeadNotification, metaDeliveryOf, parseMetaWebhook } from './parse.js';
import { answerHandshake, META_SIGNATURE_HEADER, verifyMetaSignature } from './verify.js';

/** Receipts written at once per delivery: a 1000-change batch must not open 1000 connections. */
const INGEST_CONCURRENCY = 16;

/** GET /webhooks/meta: the subscription handshake. Exactly the challenge as text/plain, else 403. */
export function createMetaHandshakeHandler(deps: HubDeps) {
  return async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const result = answerHandshake(event.queryStringParameters, await deps.secrets.get('META_VERIFY_TOKEN'));
    if (!result.ok) {
      deps.logger.warn('meta handshake refused', { why: result.why });
      return errorResponse(403, 'forbidden', 'Verification failed');
    }
    deps.logger.info('meta handshake answered');
    return {
      statusCode: 200,
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      },
      body: result.challenge,
    };
  };
}

/**
 * POST /webhooks/meta: a signed batch of changes. Every leadgen change gets its receipt (a conditional
 * put, so Meta's redeliveries are recognised) and a capture message, and every entry or change without a
 * usable lead is quarantined raw; 200 only once all of them are durable, otherwise 500 and Meta
 * redelivers the whole batch (the receipts already written dedupe it).
 */
export function createMetaDeliveryHandler(deps: HubDeps) {
  const { logger } = deps;
  return async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const appSecret = await deps.secrets.get('META_APP_SECRET');
    if (!appSecret) {
      // Our configuration, not the sender's fault: a 5xx keeps Meta retrying (for 36 h) until it is fixed.
      logger.error('META_APP_SECRET is not configured; meta delivery refused');
      return errorResponse(503, 'not_configured', 'Meta webhooks are not configured on this hub');
    }
    const body = rawBody(event);
    const signature = header(event, META_SIGNATURE_HEADER);
    if (!verifyMetaSignature(signature, body, appSecret)) {
      logger.warn('meta signature rejected', { hasSignature: signature !== undefined, bytes: body.length });
      return errorResponse(401, 'bad_signature', 'X-Hub-Signature-256 is missing or does not match');
    }

    const parsed = parseMetaWebhook(body);
    if (!parsed.ok) {
      logger.warn('meta delivery malformed', { message: parsed.message });
      return errorResponse(400, 'malformed_body', parsed.message);
    }

    const outcomes = await ingestAll(deps, parsed.notifications);
    const failed = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as Error] : []));
    try {
      await quarantineDelivery(deps, 'meta', parsed.unreadable);
    } catch (error) {
      failed.push(error as Error);
    }
    if (failed.length > 0) {
      logger.error('meta delivery not durable; asking Meta to retry', {
        failed: failed.length,
        total: parsed.notifications.length + parsed.unreadable.length,
        error: failed[0]?.name,
      });
      return errorResponse(500, 'unavailable', 'Some leads could not be stored; retry the delivery');
    }
    const results = outcomes.map((o) => (o as PromiseFulfilledResult<IngestOutcome>).value.status);
    const accepted = results.filter((s) => s === 'accepted').length;
    const summary = {
      accepted,
      duplicates: results.length - accepted + parsed.repeated,
      ignored: parsed.ignored,
      quarantined: parsed.unreadable.length,
    };
    logger.info('meta delivery ingested', {
      leadgenIds: parsed.notifications.map((n) => n.leadgenId).slice(0, 50),
      ...summary,
      ...(parsed.leftOut.length > 0 ? { fieldsLeftOut: parsed.leftOut } : {}),
    });
    return json(200, { status: 'ok', ...summary });
  };
}

/** A quarantined Meta entry or change, read again as the one-entry delivery it came in. */
export const replayQuarantinedMetaItem: QuarantineReplayer = async (deps, kept) => {
  const parsed = parseMetaWebhook(metaDeliveryOf(kept));
  if (!parsed.ok) return { leads: [], ignored: 0, unreadable: parsed.message };
  return itemReplayOf(await ingestAll(deps, parsed.notifications), {
    leads: parsed.notifications.map((n) => n.leadgenId),
    ignored: parsed.ignored,
    unreadable: parsed.unreadable,
  });
};

/** Ingests every notification (a few at a time) and reports each outcome, failures included. */
async function ingestAll(
  deps: Pick<HubDeps, 'receipts' | 'captureQueue' | 'clock'>,
  notifications: readonly MetaLeadNotification[],
): Promise<PromiseSettledResult<IngestOutcome>[]> {
  const results: PromiseSettledResult<IngestOutcome>[] = [];
  for (let i = 0; i < notifications.length; i += INGEST_CONCURRENCY) {
    const chunk = notifications.slice(i, i + INGEST_CONCURRENCY);
    results.push(
      ...(await Promise.allSettled(
        chunk.map((n) => ingest(deps, { source: 'meta', platformLeadId: n.leadgenId, payload: n })),
      )),
    );
  }
  return results;
}
