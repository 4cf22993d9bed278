/**
 * The single table's key design, shared by the CDK stack and the local bootstrap so both create the
 * same table. Items (PK / SK):
 *   RECEIPT#{source}#{platformLeadId} / RECEIPT
 *   IDENTITY#{hmac}                   / IDENTITY   (byId: gsi1pk IDENTITIES#{contactId}, gsi1sk {hmac})
 *   SUPPRESS#{hmac}                   / SUPPRESS
 *   ERASURE#{hmac}                    / ERASURE    (an erasure's progress, by the key it was asked for)
 *   CONTACT#{contactId}               / PROFILE    (mergedInto / erasedAt when merged or erased)
 *   CONTACT#{contactId}               / LEAD#{platformCreatedAt}#{leadId}   (byId, byMonth)
 *   CONTACT#{contactId}               / CONSENT#{at}#{purpose}#{leadId or recordId}
 *   CONTACT#{survivorId}              / MERGED#{mergedId}   (merge log)
 *   CONTACT#{contactId}               / TOMBSTONE  (erased: ids and consent proofs, no PII)
 *   ALERT#{leadId}                    / ALERT   (byId while its SLA is pending: gsi1pk SLA#pending,
 *                                                gsi1sk {dueAt}#{leadId}; see alert-store.ts)
 */
export const TableDesign = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  indexes: {
    /** Lead by id: gsi1pk = LEAD#{leadId}. */
    byId: { name: 'byId', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /**
     * Leads newest first: gsi2pk = MONTH#{yyyy-mm of receivedAt}, gsi2sk = {receivedAt}#{leadId}. Month
     * buckets keep a listing to a few queries however sparse the leads; a month of leads is far below
     * one GSI partition's write limit.
     */
    byMonth: { name: 'byMonth', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  },
} as const;
