/**
 * The single table's key design, shared by the CDK stack and the local bootstrap so both create the
 * same table. Items (PK / SK):
 *   RECEIPT#{source}#{platformLeadId} / RECEIPT
 *   IDENTITY#{hmac}                   / IDENTITY
 *   SUPPRESS#{hmac}                   / SUPPRESS
 *   CONTACT#{contactId}               / PROFILE
 *   CONTACT#{contactId}               / LEAD#{platformCreatedAt}#{leadId}   (byId, byDay)
 *   CONTACT#{contactId}               / CONSENT#{at}#{purpose}#{leadId}
 *   ALERT#{leadId}                    / ALERT
 */
export const TableDesign = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  indexes: {
    /** Lead by id: gsi1pk = LEAD#{leadId}. */
    byId: { name: 'byId', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** Leads by day, newest first: gsi2pk = DAY#{yyyy-mm-dd of receivedAt}, gsi2sk = {receivedAt}#{leadId}. */
    byDay: { name: 'byDay', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  },
} as const;
