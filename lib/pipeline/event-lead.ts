import type { LeadCapturedV2 } from '../../events/contracts.js';
import type { LeadKey, LeadStore, StoredLead } from '../ports.js';

/**
 * A lead event's lead has no item: not a state the pipeline produces (capture stores the lead before it
 * publishes), so it is thrown for the queue or the bus to retry and, in the end, to keep in its DLQ.
 */
export class LeadNotStoredError extends Error {
  override name = 'LeadNotStoredError';
}

/** Where a lead event's lead is stored: the contact and the platform's creation time name its item. */
function leadKeyOf(event: Pick<LeadCapturedV2, 'leadId' | 'contactId' | 'timings'>): LeadKey {
  return {
    leadId: event.leadId,
    contactId: event.contactId,
    platformCreatedAt: event.timings.platformCreatedAt,
  };
}

/**
 * The stored lead a lead event names (lead events carry ids, not the person): one read. A lead whose data
 * was removed since comes back with `deletedAt`, for the caller to skip.
 */
export async function readEventLead(
  store: Pick<LeadStore, 'getLeadAt'>,
  event: Pick<LeadCapturedV2, 'leadId' | 'contactId' | 'timings'>,
): Promise<StoredLead> {
  const lead = await store.getLeadAt(leadKeyOf(event));
  if (!lead) throw new LeadNotStoredError(`lead ${event.leadId} is not stored`);
  return lead;
}
