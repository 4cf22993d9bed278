import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HubDeps } from '../../deps.js';
import { header, rawBody } from '../../http/raw-body.js';
import { errorResponse, type HttpResult, json } from '../../http/responses.js';
import { type IngestOutcome, ingest } from '../../pipeline/ingest.js';
import { itemReplayOf, type QuarantineReplayer, quarantineDelivery } from '../../pipeline/quarantine.js';
import {
  advertiserAllowList,
  parseTikTokWebhook,
  type TikTokLead,
  type TikTokLeadPayload,
  type TikTokTrust,
  TikTokTrustSchema,
  tiktokDeliveryOf,
  tiktokPlatformLeadId,
} from './parse.js';
import { checkOpenSignature, checkPathToken, TIKTOK_SIGNATURE_HEADER } from './verify.js';

const CONCURRENCY = 16;
/** Lead deliveries are small; a bigger body is refused before it is parsed. */
export const TIKTOK_MAX_BODY_BYTES = 256 * 1024;

/** Headers that may carry a signature in one of the candidate schemes; their names are logged, never values. */
const SIGNATURE_LIKE = /signature|sign|hmac|timestamp/i;

/**
 * POST /webhooks/tiktok/{token}. TikTok's signature scheme for lead webhooks is unconfirmed, so the
 * defences are layered (platforms.md §3.2): the unguessable path token (404 when wrong, nothing stored),
 * X-Open-Signature when present (401 on mismatch), the advertiser allow-list, a body cap. Each receipt
 * records which checks passed. The lead is in the body, so it is stored raw before the 200.
 */
export function createTikTokDeliveryHandler(deps: HubDeps) {
  const { logger } = deps;
  return async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const expected = await deps.secrets.get('TIKTOK_WEBHOOK_TOKEN');
    if (!expected) {
      logger.error('TIKTOK_WEBHOOK_TOKEN is not configured; tiktok delivery refused');
      return errorResponse(503, 'not_configured', 'TikTok webhooks are not configured on this hub');
    }
    if (!checkPathToken(event.pathParameters?.token, expected)) {
      // Indistinguishable from an unknown URL: a prober learns nothing.
      logger.warn('tiktok path token rejected');
      return errorResponse(404, 'not_found', 'Not found');
    }
    const body = rawBody(event);
    if (body.length > TIKTOK_MAX_BODY_BYTES) {
      logger.warn('tiktok delivery too large', { bytes: body.length });
      return errorResponse(413, 'payload_too_large', `Body exceeds ${TIKTOK_MAX_BODY_BYTES} bytes`);
    }

    const signature = header(event, TIKTOK_SIGNATURE_HEADER);
    const trust: Omit<TikTokTrust, 'advertiser'> = { pathToken: 'passed', signature: 'absent' };
    if (signature !== undefined) {
      const appSecret = await deps.secrets.get('TIKTOK_APP_SECRET');
      if (!appSecret) {
        logger.warn('tiktok X-Open-Signature present but TIKTOK_APP_SECRET is not configured; not checked');
        trust.signature = 'unchecked';
      } else {
        const signedOver = checkOpenSignature(signature, body, appSecret);
        if (!signedOver) {
          logger.warn('tiktok signature rejected', { bytes: body.length });
          return errorResponse(401, 'bad_signature', 'X-Open-Signature does not match');
        }
        trust.signature = 'verified';
        trust.signedOver = signedOver;
      }
    }
    // Until the scheme is pinned, the log shows which signature-like headers real deliveries carry.
    // Names only, and capped like any header-derived value: a sender chooses how many and how long.
    const signatureHeaders = Object.keys(event.headers ?? {})
      .filter((h) => SIGNATURE_LIKE.test(h))
      .slice(0, 20)
      .map((h) => h.slice(0, 100));

    const allowList = advertiserAllowList(deps.env.TIKTOK_ADVERTISER_IDS);
    const parsed = parseTikTokWebhook(body, allowList);
    if (!parsed.ok) {
      logger.warn('tiktok delivery malformed', { message: parsed.message });
      return errorResponse(400, 'malformed_body', parsed.message);
    }
    if (parsed.rejected > 0 && parsed.leads.length === 0 && parsed.unreadable.length === 0) {
      logger.warn('tiktok leads of advertisers not on TIKTOK_ADVERTISER_IDS refused', {
        rejected: parsed.rejected,
      });
      return errorResponse(403, 'advertiser_not_allowed', 'The advertiser is not accepted by this hub');
    }

    const fullTrust: TikTokTrust = { ...trust, advertiser: allowList ? 'allow_listed' : 'no_allow_list' };
    const outcomes = await ingestAll(deps, parsed.leads, fullTrust);
    const failed = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as Error] : []));
    try {
      // How the delivery was checked goes with each kept entry, for the lead a replay may read from it.
      const checked = {
        signature: trust.signature,
        ...(trust.signedOver ? { signedOver: trust.signedOver } : {}),
      };
      await quarantineDelivery(
        deps,
        'tiktok',
        parsed.unreadable.map((u) => ({ ...u, context: { ...u.context, ...checked } })),
      );
    } catch (error) {
      failed.push(error as Error);
    }
    if (failed.length > 0) {
      logger.error('tiktok delivery not durable; asking TikTok to retry', {
        failed: failed.length,
        total: outcomes.length + parsed.unreadable.length,
        error: failed[0]?.name,
      });
      return errorResponse(500, 'unavailable', 'Some leads could not be stored; retry the delivery');
    }
    const accepted = outcomes.filter(
      (o) => (o as PromiseFulfilledResult<IngestOutcome>).value.status === 'accepted',
    ).length;
    const summary = {
      accepted,
      duplicates: outcomes.length - accepted + parsed.repeated,
      ignored: parsed.ignored,
      quarantined: parsed.unreadable.length,
      rejected: parsed.rejected,
    };
    logger.info('tiktok delivery ingested', {
      leads: parsed.leads.map(tiktokPlatformLeadId).slice(0, 50),
      trust: fullTrust,
      signatureHeaders,
      ...summary,
      ...(parsed.leftOut.length > 0 ? { fieldsLeftOut: parsed.leftOut } : {}),
    });
    return json(200, { status: 'ok', ...summary });
  };
}

/**
 * A quarantined TikTok entry, read again as the one-entry delivery it came in, against the current
 * allow-list; a lead of an advertiser not on it counts as ignored.
 */
export const replayQuarantinedTikTokItem: QuarantineReplayer = async (deps, kept) => {
  const allowList = advertiserAllowList(deps.env.TIKTOK_ADVERTISER_IDS);
  const parsed = parseTikTokWebhook(tiktokDeliveryOf(kept), allowList);
  if (!parsed.ok) return { leads: [], ignored: 0, unreadable: parsed.message };
  const checked = TikTokTrustSchema.safeParse({
    pathToken: 'passed',
    signature: kept.context?.signature,
    ...(kept.context?.signedOver ? { signedOver: kept.context.signedOver } : {}),
    advertiser: allowList ? 'allow_listed' : 'no_allow_list',
  });
  const trust: TikTokTrust = checked.success
    ? checked.data
    : { pathToken: 'passed', signature: 'absent', advertiser: allowList ? 'allow_listed' : 'no_allow_list' };
  return itemReplayOf(await ingestAll(deps, parsed.leads, trust), {
    leads: parsed.leads.map(tiktokPlatformLeadId),
    ignored: parsed.ignored + parsed.rejected,
    unreadable: parsed.unreadable,
  });
};

async function ingestAll(
  deps: Pick<HubDeps, 'receipts' | 'captureQueue' | 'clock'>,
  leads: readonly TikTokLead[],
  trust: TikTokTrust,
): Promise<PromiseSettledResult<IngestOutcome>[]> {
  const results: PromiseSettledResult<IngestOutcome>[] = [];
  for (let i = 0; i < leads.length; i += CONCURRENCY) {
    results.push(
      ...(await Promise.allSettled(
        leads.slice(i, i + CONCURRENCY).map((lead) => {
          const payload: TikTokLeadPayload = { ...lead, trust };
          return ingest(deps, { source: 'tiktok', platformLeadId: tiktokPlatformLeadId(lead), payload });
        }),
      )),
    );
  }
  return results;
}
