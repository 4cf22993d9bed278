import type { HubDeps } from '../../deps.js';
import type { RawLead } from '../../lead/model.js';
import type { Receipt } from '../../ports.js';
import { PermanentSourceError } from '../errors.js';
import { mapGoogleLead } from './map.js';
import { GoogleLeadPayloadSchema } from './parse.js';

/** The Google ReceiptResolver: the webhook carried the whole lead (there is no read API), so it is mapped. */
export async function googleReceiptToRawLead(receipt: Receipt, deps: HubDeps): Promise<RawLead> {
  const parsed = GoogleLeadPayloadSchema.safeParse(receipt.payload);
  if (!parsed.success) throw new PermanentSourceError('google receipt payload is not a lead');
  return mapGoogleLead(parsed.data, {
    defaultCountry: deps.config.defaults.phoneCountry,
    receivedAt: receipt.receivedAt,
  });
}
