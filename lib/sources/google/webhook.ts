import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HubDeps } from '../../deps.js';
import { rawBody } from '../../http/raw-body.js';
import { errorResponse, type HttpResult, json } from '../../http/responses.js';
import { ingest } from '../../pipeline/ingest.js';
import { type QuarantineReplayer, quarantineDelivery } from '../../pipeline/quarantine.js';
import { parseGoogleWebhook } from './parse.js';
import { checkGoogleKey } from './verify.js';

/** A lead is a few columns; a bigger body is refused before it is parsed. */
export const GOOGLE_MAX_BODY_BYTES = 256 * 1024;

/**
 * POST /webhooks/google. Google retries 5xx and not 4xx, and reads `{"message": …}` from errors: so the
 * key (`google_key` in the body, compared in constant time) is checked before anything is stored (401),
 * a body that is not a JSON object is 400, storage trouble is 5xx, and 200 `{}` comes only once the
 * receipt (a conditional put on `lead_id`, so Google's redeliveries dedupe) is durable. Google does not
 * retry a 4xx, so a keyed object without a usable lead_id is quarantined (without the key), not refused.
 */
export function createGoogleDeliveryHandler(deps: HubDeps) {
  const { logger } = deps;
  return async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const expected = await deps.secrets.get('GOOGLE_WEBHOOK_KEY');
    if (!expected) {
      logger.error('GOOGLE_WEBHOOK_KEY is not configured; google delivery refused');
      return errorResponse(503, 'not_configured', 'Google Ads webhooks are not configured on this hub');
    }
    const body = rawBody(event);
    if (body.length > GOOGLE_MAX_BODY_BYTES) {
      logger.warn('google delivery too large', { bytes: body.length });
      return errorResponse(413, 'payload_too_large', `Body exceeds ${GOOGLE_MAX_BODY_BYTES} bytes`);
    }
    const parsed = parseGoogleWebhook(body);
    // The key first: a forged request learns nothing about what a valid body looks like.
    if (!checkGoogleKey(parsed.key, expected)) {
      logger.warn('google key rejected', { hasKey: parsed.key !== undefined, bytes: body.length });
      return errorResponse(401, 'bad_key', 'google_key is missing or does not match');
    }
    if (!parsed.ok) {
      logger.warn('google delivery malformed', { message: parsed.message });
      return errorResponse(400, 'malformed_body', parsed.message);
    }
    if (!parsed.lead) {
      try {
        await quarantineDelivery(deps, 'google', [parsed.unreadable]);
      } catch (error) {
        logger.error('google delivery not durable; asking Google to retry', { error: (error as Error).name });
        return errorResponse(500, 'unavailable', 'The delivery could not be stored; retry the delivery');
      }
      return json(200, {});
    }
    const { lead } = parsed;
    try {
      const outcome = await ingest(deps, { source: 'google', platformLeadId: lead.leadId, payload: lead });
      logger.info('google lead ingested', {
        leadId: lead.leadId,
        status: outcome.status,
        isTest: lead.isTest,
        ...(parsed.leftOut.length > 0 ? { fieldsLeftOut: parsed.leftOut } : {}),
      });
    } catch (error) {
      logger.error('google lead not durable; asking Google to retry', {
        leadId: lead.leadId,
        error: (error as Error).name,
      });
      return errorResponse(500, 'unavailable', 'The lead could not be stored; retry the delivery');
    }
    return json(200, {});
  };
}

/** A quarantined Google Ads lead (kept without its key), read again with the current parser. */
export const replayQuarantinedGoogleItem: QuarantineReplayer = async (deps, kept) => {
  const parsed = parseGoogleWebhook(Buffer.from(JSON.stringify(kept.item)));
  if (!parsed.ok) return { leads: [], ignored: 0, unreadable: parsed.message };
  if (!parsed.lead) return { leads: [], ignored: 0, unreadable: parsed.unreadable.reason };
  await ingest(deps, { source: 'google', platformLeadId: parsed.lead.leadId, payload: parsed.lead });
  return { leads: [parsed.lead.leadId], ignored: 0 };
};
