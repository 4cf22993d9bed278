import type { HubDeps } from '../../deps.js';
import type { RawLead } from '../../lead/model.js';
import type { Receipt } from '../../ports.js';
import { PermanentSourceError } from '../errors.js';
import { mapTikTokLead } from './map.js';
import { TikTokLeadPayloadSchema } from './parse.js';

/**
 * The TikTok ReceiptResolver: the webhook carried the whole lead (TikTok has no read by lead id), so the
 * receipt is mapped as it is; nothing is fetched.
 */
export async function tiktokReceiptToRawLead(receipt: Receipt, deps: HubDeps): Promise<RawLead> {
  const parsed = TikTokLeadPayloadSchema.safeParse(receipt.payload);
  if (!parsed.success) throw new PermanentSourceError('tiktok receipt payload is not a lead');
  const { trust: _trust, ...lead } = parsed.data;
  return mapTikTokLead(lead, {
    defaultCountry: deps.config.defaults.phoneCountry,
    receivedAt: receipt.receivedAt,
  });
}
