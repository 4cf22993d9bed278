import { type RawLead, RawLeadSchema } from '../../lead/model.js';
import type { Receipt } from '../../ports.js';
import { PermanentSourceError } from '../errors.js';

/** Web forms carry the whole lead in the post, so the receipt's payload already is the raw lead. */
export async function formReceiptToRawLead(receipt: Receipt): Promise<RawLead> {
  const parsed = RawLeadSchema.safeParse(receipt.payload);
  if (!parsed.success) throw new PermanentSourceError('form receipt payload is not a raw lead');
  return parsed.data;
}
