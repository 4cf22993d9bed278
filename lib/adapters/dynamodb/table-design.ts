/**
 * The single table's key design, shared by the CDK stack and the local bootstrap so both create the
 * same table. Items (PK / SK):
 *   RECEIPT#{source}#{platformLeadId} / RECEIPT   (byId while received: gsi1pk PENDING#{day}; while failed or
 *                                                quarantined: gsi1pk RECEIPTS#{source}#{status}; see lead-store.ts)
 *   IDENTITY#{hmac}                   / IDENTITY   (byId: gsi1pk IDENTITIES#{contactId}, gsi1sk {hmac})
 *   SUPPRESS#{hmac}                   / SUPPRESS
 *   ERASURE#{hmac}                    / ERASURE    (an erasure's progress, by the key it was asked for)
 *   CONTACT#{contactId}               / PROFILE    (mergedInto / erasedAt when merged or erased)
 *   CONTACT#{contactId}               / LEAD#{platformCreatedAt}#{leadId}   (byId, byMonth)
 *   CONTACT#{contactId}               / CONSENT#{at}#{purpose}#{leadId or recordId}
 *   CONTACT#{survivorId}              / MERGED#{mergedId}   (merge log)
 *   CONTACT#{contactId}               / TOMBSTONE  (erased: ids and consent proofs, no PII)
 *   SCORE#{leadId}                    / SCORE   (the lead's score, apart from the large lead item;
 *                                                keyed by lead id, so a merge that moves the lead leaves it)
 *   ALERT#{leadId}                    / ALERT   (byId while its SLA is pending: gsi1pk SLA#pending,
 *                                                gsi1sk {dueAt}#{leadId}; the lead's stage stamps
 *                                                leadAlertedAt / leadClaimedAt; see alert-store.ts)
 *   AUDIT#{auditId}                   / AUDIT   (a privacy action; byMonth: gsi2pk AUDITS#{yyyy-mm},
 *                                                gsi2sk {at}#{auditId}; TTL: the audit retention)
 *   AUDIT#{auditId}                   / CONTACT#{contactId}   (byId: gsi1pk AUDITS#{contactId},
 *                                                gsi1sk {at}#{auditId}; see audit-store.ts)
 *
 * Both indexes project keys only: an item is written to an index when it enters or leaves it or its index
 * key changes, never when other attributes change, and the write is the size of the keys, not the item.
 * Every read through an index therefore fetches the items it finds (BatchGetItem).
 */
export type IndexProjection =
  | { readonly type: 'KEYS_ONLY' }
  | { readonly type: 'INCLUDE'; readonly attributes: readonly string[] }
  | { readonly type: 'ALL' };

export interface IndexDesign {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly projection: IndexProjection;
}

const KEYS_ONLY: IndexProjection = { type: 'KEYS_ONLY' };

const indexes: { readonly byId: IndexDesign; readonly byMonth: IndexDesign } = {
  /** Lead by id: gsi1pk = LEAD#{leadId}. */
  byId: { name: 'byId', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: KEYS_ONLY },
  /**
   * Leads newest first: gsi2pk = MONTH#{yyyy-mm of receivedAt}, gsi2sk = {receivedAt}#{leadId}. Month
   * buckets keep a listing to a few queries however sparse the leads; a month of leads is far below
   * one GSI partition's write limit.
   */
  byMonth: { name: 'byMonth', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: KEYS_ONLY },
};

export const TableDesign = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  indexes,
} as const;
