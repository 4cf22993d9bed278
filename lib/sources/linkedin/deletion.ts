import type { LeadDeletedV1 } from '../../../events/contracts.js';
import type { HubDeps } from '../../deps.js';
import { leadIdFor } from '../../lead/identity.js';
import type { LinkedInLeadNotification } from './parse.js';

export type DeletionOutcome =
  /** The lead's receipt (captured, queued or failed) is now marked deleted. */
  | 'deleted'
  /** No receipt yet: a tombstone now stands in its place, so a late CREATED is not captured. */
  | 'tombstoned'
  /** Already marked deleted: a redelivery. */
  | 'duplicate';

/**
 * `leadAction: DELETED`: the lead was withdrawn on LinkedIn. Its receipt (keyed by the response id, like
 * the creation) is marked `deleted`, or written as a tombstone when the deletion arrives first; capture
 * only works on `received` receipts and ingest dedupes on the key, so a deleted lead is never captured
 * afterwards. LeadDeleted is published first, so a failure to mark makes the retry publish again
 * (at-least-once) rather than never. Ids only in the event and the log.
 */
export async function recordLinkedInDeletion(
  deps: Pick<HubDeps, 'store' | 'bus' | 'clock'>,
  notification: LinkedInLeadNotification,
): Promise<DeletionOutcome> {
  const key = { source: 'linkedin' as const, platformLeadId: notification.responseId };
  const existing = await deps.store.getReceipt(key);
  if (existing?.status === 'deleted') return 'duplicate';

  const receivedAt = deps.clock.now().toISOString();
  const deletedAt = notification.occurredAt ?? receivedAt;
  const formId = notification.formId ?? formIdOf(existing?.payload);
  const detail: LeadDeletedV1 = {
    version: '1',
    leadId: existing?.leadId ?? leadIdFor('linkedin', notification.responseId),
    ...(existing?.contactId ? { contactId: existing.contactId } : {}),
    source: 'linkedin',
    platformLeadId: notification.responseId,
    captured: existing?.status === 'captured',
    ...(formId ? { formId } : {}),
    reason: 'deleted_on_platform',
    deletedAt,
    receivedAt,
  };
  await deps.bus.publish([{ detailType: 'LeadDeleted', detail }]);

  const statusReason = `deleted on LinkedIn at ${deletedAt}`;
  if (!existing) {
    const written = await deps.store.putReceipt({
      ...key,
      receivedAt,
      status: 'deleted',
      statusReason,
      payload: notification,
    });
    if (written === 'created') return 'tombstoned';
    // The creation raced in between: mark it like any other.
  }
  await deps.store.updateReceipt(key, { status: 'deleted', statusReason });
  return 'deleted';
}

function formIdOf(payload: unknown): string | undefined {
  const formId = (payload as { formId?: unknown } | undefined)?.formId;
  return typeof formId === 'string' ? formId : undefined;
}
