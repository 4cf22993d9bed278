import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HubDeps } from '../deps.js';
import type { HttpResult } from '../http/responses.js';
import type { RawLead, Source } from '../lead/model.js';
import type { QuarantineReplayer } from '../pipeline/quarantine.js';
import type { Receipt } from '../ports.js';
import { PermanentSourceError } from './errors.js';
import { formReceiptToRawLead } from './form/receipt.js';
import { googleReceiptToRawLead } from './google/receipt.js';
import { createGoogleDeliveryHandler, replayQuarantinedGoogleItem } from './google/webhook.js';
import { linkedInReceiptToRawLead } from './linkedin/receipt.js';
import {
  createLinkedInChallengeHandler,
  createLinkedInDeliveryHandler,
  replayQuarantinedLinkedInItem,
} from './linkedin/webhook.js';
import { metaReceiptToRawLead } from './meta/receipt.js';
import {
  createMetaDeliveryHandler,
  createMetaHandshakeHandler,
  replayQuarantinedMetaItem,
} from './meta/webhook.js';
import { tiktokReceiptToRawLead } from './tiktok/receipt.js';
import { createTikTokDeliveryHandler, replayQuarantinedTikTokItem } from './tiktok/webhook.js';

/** What capture needs from a source: the raw lead behind a receipt (fetched from the platform if needed). */
export type ReceiptResolver = (receipt: Receipt, deps: HubDeps) => Promise<RawLead>;

const resolvers: Partial<Record<Source, ReceiptResolver>> = {
  form: formReceiptToRawLead,
  meta: metaReceiptToRawLead,
  linkedin: linkedInReceiptToRawLead,
  tiktok: tiktokReceiptToRawLead,
  google: googleReceiptToRawLead,
};

export function resolverFor(source: Source): ReceiptResolver {
  const resolver = resolvers[source];
  if (!resolver) throw new PermanentSourceError(`No capture support for source ${source}`);
  return resolver;
}

/** One ad-platform webhook route's handler (verify, parse, ingest). */
export type WebhookHandler = (event: APIGatewayProxyEventV2) => Promise<HttpResult>;

/**
 * Webhook handlers by API Gateway route key (`METHOD /path`), served by the one http-webhooks function.
 * A new platform adds its routes here and in lib/routes.ts.
 */
export const webhookHandlers: Readonly<Record<string, (deps: HubDeps) => WebhookHandler>> = {
  'GET /webhooks/meta': createMetaHandshakeHandler,
  'POST /webhooks/meta': createMetaDeliveryHandler,
  'GET /webhooks/linkedin': createLinkedInChallengeHandler,
  'POST /webhooks/linkedin': createLinkedInDeliveryHandler,
  'POST /webhooks/tiktok/{token}': createTikTokDeliveryHandler,
  'POST /webhooks/google': createGoogleDeliveryHandler,
};

/**
 * What reads a quarantined delivery item again (`npm run replay -- --quarantine`): the source's current
 * parser over the kept item, then the same ingest as its webhook. Web forms answer every unreadable post
 * with a 4xx instead, so they keep nothing to read again.
 */
const quarantineReplayers: Partial<Record<Source, QuarantineReplayer>> = {
  meta: replayQuarantinedMetaItem,
  linkedin: replayQuarantinedLinkedInItem,
  tiktok: replayQuarantinedTikTokItem,
  google: replayQuarantinedGoogleItem,
};

export function quarantineReplayerFor(source: Source): QuarantineReplayer | undefined {
  return quarantineReplayers[source];
}
