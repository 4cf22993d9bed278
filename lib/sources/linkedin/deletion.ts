import type { LeadDeletedV1 } from '../../../events/contracts.js';
import type { HubDeps } from '../../deps.js';
import { leadIdFor } from '../../lead/identity.js';
import type { LinkedInLeadNotification } from './parse.js';

export type DeletionOutcome =
  /** The lead's receipt (captured, queued or failed) is now marked deleted, and a stored lead stripped. */
  | 'deleted'
  /** No receipt yet: a tombstone now stands in its place, so a late CREATED is not captured. */
  | 'tombstoned'
  /** Already marked deleted: a redelivery. */
  | 'duplicate';

/**
 * `leadAction: DELETED`: the lead was withdrawn on LinkedIn, which platforms.md §7 reads as an erasure
 * signal for that lead. What the hub does:
 * - publishes LeadDeleted (ids only), first, so a failure further on makes the retry publish again
 *   (at-least-once) rather than never;
 * - a stored lead loses its personal data: contact fields, answers, IP and user agent, landing URL and
 *   click ids; its consent records lose IP, user agent and page URL but keep their proof hashes; the
 *   contact's profile is rebuilt from its other leads (a person known only from this lead keeps an empty
 *   profile). The person is not suppressed: deleting one LinkedIn lead is not an objection to the
 *   advertiser, and their other leads stay. The lead item stays, stripped, as a tombstone;
 * - its receipt (keyed by the response id, like the creation) is marked `deleted` and its raw payload
 *   erased, or written as a tombstone when the deletion arrives first; capture only works on `received`
 *   receipts and ingest dedupes on the key, and capture also refuses a lead whose item is marked deleted,
 *   so a deleted lead is never captured again.
 */
export async function recordLinkedInDeletion(
  deps: Pick<HubDeps, 'store' | 'receipts' | 'bus' | 'clock'>,
  notification: LinkedInLeadNotification,
): Promise<DeletionOutcome> {
  const key = { source: 'linkedin' as const, platformLeadId: notification.responseId };
  const existing = await deps.receipts.getReceipt(key);
  if (existing?.status === 'deleted') return 'duplicate';

  const leadId = existing?.leadId ?? leadIdFor('linkedin', notification.responseId);
  // The lead item outlives its receipt (retention), so it is asked directly.
  const lead = await deps.store.getLead(leadId);
  const receivedAt = deps.clock.now().toISOString();
  const deletedAt = notification.occurredAt ?? receivedAt;
  const formId = notification.formId ?? formIdOf(existing?.payload) ?? lead?.attribution.formId;
  const contactId = lead?.contactId ?? existing?.contactId;
  const detail: LeadDeletedV1 = {
    version: '1',
    leadId,
    ...(contactId ? { contactId } : {}),
    source: 'linkedin',
    platformLeadId: notification.responseId,
    captured: existing?.status === 'captured' || lead !== undefined,
    ...(formId ? { formId } : {}),
    reason: 'deleted_on_platform',
    deletedAt,
    receivedAt,
  };
  await deps.bus.publish([{ detailType: 'LeadDeleted', detail }]);
  if (lead && !lead.deletedAt) await deps.store.deleteLeadData(lead, receivedAt);

  const statusReason = `deleted on LinkedIn at ${deletedAt}`;
  if (!existing) {
    const written = await deps.receipts.putReceipt({
      ...key,
      receivedAt,
      status: 'deleted',
      statusReason,
      payload: notification,
      ...(lead ? { leadId, contactId: lead.contactId } : {}),
    });
    if (written === 'created') return lead ? 'deleted' : 'tombstoned';
    // The creation raced in between: mark it like any other.
  }
  await deps.receipts.updateReceipt(key, { status: 'deleted', statusReason, erasePayload: true });
  return 'deleted';
}

function formIdOf(payload: unknown): string | undefined {
  const formId = (payload as { formId?: unknown } | undefined)?.formId;
  return typeof formId === 'string' ? formId : undefined;
}
