import { CampaignAttributionSchema, SourceSchema } from '../lib/lead/model.js';
import * as z from '../lib/zod.js';

/** Every LeadHub event has this EventBridge `source`. */
export const EVENT_SOURCE = 'leadhub';

const isoTime = z.iso.datetime({ offset: true });

/** When each stage happened, from the platform's own timestamp onwards (speed-to-lead). */
export const TimingsSchema = z.strictObject({
  platformCreatedAt: isoTime,
  receivedAt: isoTime,
  capturedAt: z.optional(isoTime),
  scoredAt: z.optional(isoTime),
  /** When the Slack alert was posted. */
  alertedAt: z.optional(isoTime),
  /** When a rep claimed the lead in Slack. */
  claimedAt: z.optional(isoTime),
});

export const ConsentSummarySchema = z.strictObject({
  purpose: z.string(),
  granted: z.boolean(),
  noticeVersion: z.string(),
  noticeHash: z.string(),
  method: z.string(),
});

/**
 * A captured lead, by id. Lead events carry no personal data (they are archived for 30 days and kept in
 * dead-letter queues, where an erasure cannot reach them): no contact fields, no answers, no landing URL,
 * referrer or click ids. A subscriber that needs the person reads the lead by id from the admin API,
 * `GET /api/leads/{leadId}` (410 once the person was erased).
 */
export const LeadCapturedV2Schema = z.strictObject({
  version: z.literal('2'),
  leadId: z.string(),
  contactId: z.string(),
  source: SourceSchema,
  platformLeadId: z.string(),
  isTest: z.boolean(),
  /**
   * True when the lead exceeded the hub's limits (lib/lead/limits.ts) and was cut to them; the hub's
   * receipt keeps the submission as it came.
   */
  truncated: z.optional(z.boolean()),
  /** Campaign, ad and form ids and names, and the UTM values. */
  attribution: CampaignAttributionSchema,
  consents: z.array(ConsentSummarySchema),
  timings: TimingsSchema,
});
export type LeadCapturedV2 = z.infer<typeof LeadCapturedV2Schema>;

export const EmailTypeSchema = z.enum(['corporate', 'free', 'disposable']);

/** What the enrichment derived from the contact details (the domains name the person's mailbox). */
export const EnrichmentSchema = z.strictObject({
  emailDomain: z.optional(z.string()),
  emailType: z.optional(EmailTypeSchema),
  companyDomain: z.optional(z.string()),
  phoneCountry: z.optional(z.string()),
  phoneLineType: z.optional(z.string()),
});
export type Enrichment = z.infer<typeof EnrichmentSchema>;

/** The classes the enrichment found, as LeadScored carries them: no email or company domain. */
export const EnrichmentClassesSchema = z.strictObject({
  emailType: z.optional(EmailTypeSchema),
  phoneCountry: z.optional(z.string()),
  phoneLineType: z.optional(z.string()),
});
export type EnrichmentClasses = z.infer<typeof EnrichmentClassesSchema>;

export const ScoreReasonSchema = z.strictObject({
  category: z.enum(['fit', 'intent', 'negative', 'completeness']),
  rule: z.string(),
  points: z.number(),
  /** The rule's reason from the scoring config (text the operator wrote, never a value of the lead). */
  reason: z.string(),
});
export type ScoreReason = z.infer<typeof ScoreReasonSchema>;

export const ScoreBreakdownSchema = z.strictObject({
  fit: z.number(),
  intent: z.number(),
  negative: z.number(),
  completeness: z.number(),
  reasons: z.array(ScoreReasonSchema),
});
export type ScoreBreakdown = z.infer<typeof ScoreBreakdownSchema>;

/** A scored lead, by id: LeadCaptured v2 plus the grading and the enrichment's classes. */
export const LeadScoredV2Schema = z.extend(LeadCapturedV2Schema, {
  score: z.number().check(z.int(), z.minimum(0), z.maximum(100)),
  grade: z.string(),
  stage: z.string(),
  breakdown: ScoreBreakdownSchema,
  enrichment: EnrichmentClassesSchema,
});
export type LeadScoredV2 = z.infer<typeof LeadScoredV2Schema>;

/** Why a source connection stopped working; each has a fix in words on the event. */
export const ConnectionFailureReasonSchema = z.enum([
  'token_expired',
  'token_invalid',
  'token_missing',
  'permission_missing',
  'lead_not_found',
  'app_secret_missing',
  'request_rejected',
]);
export type ConnectionFailureReason = z.infer<typeof ConnectionFailureReasonSchema>;

/**
 * A lead could not be fetched from its platform for a reason retrying will not fix (an expired token, a
 * missing permission...). The receipt is kept as failed; replay it once the connection is repaired.
 * Ids and codes only: no PII.
 */
export const SourceConnectionFailedV1Schema = z.strictObject({
  version: z.literal('1'),
  source: SourceSchema,
  /** The lead whose retrieval failed (the platform's id, e.g. Meta's leadgen_id). */
  platformLeadId: z.string(),
  reason: ConnectionFailureReasonSchema,
  /** What to do about it, in words. */
  fix: z.string(),
  /** Meta: the page whose token or permissions failed. */
  pageId: z.optional(z.string()),
  formId: z.optional(z.string()),
  /** The platform's own error identifiers, for support tickets. */
  platformError: z.optional(
    z.strictObject({
      status: z.optional(z.number().check(z.int())),
      code: z.optional(z.string()),
      subcode: z.optional(z.string()),
      type: z.optional(z.string()),
      traceId: z.optional(z.string()),
    }),
  ),
  occurredAt: isoTime,
});
export type SourceConnectionFailedV1 = z.infer<typeof SourceConnectionFailedV1Schema>;

/**
 * The platform withdrew a lead (LinkedIn `leadAction: DELETED`): a CRM that holds a copy should delete or
 * anonymise it. `captured` says whether the hub had stored the lead; when false, the hub keeps a tombstone
 * so that a late creation notice is not captured. Ids only: no PII.
 */
export const LeadDeletedV1Schema = z.strictObject({
  version: z.literal('1'),
  /** The hub's id for the lead (the same one LeadCaptured carries, or would carry). */
  leadId: z.string(),
  /** Present when the lead had been captured. */
  contactId: z.optional(z.string()),
  source: SourceSchema,
  platformLeadId: z.string(),
  captured: z.boolean(),
  formId: z.optional(z.string()),
  reason: z.literal('deleted_on_platform'),
  /** When the platform says the lead was deleted. */
  deletedAt: isoTime,
  /** When the hub received the deletion. */
  receivedAt: isoTime,
});
export type LeadDeletedV1 = z.infer<typeof LeadDeletedV1Schema>;

/** The lead an alert-loop event is about: ids, grading and campaign attribution, no PII. */
const AlertedLeadFields = {
  version: z.literal('2'),
  leadId: z.string(),
  contactId: z.string(),
  source: SourceSchema,
  platformLeadId: z.string(),
  isTest: z.boolean(),
  grade: z.string(),
  score: z.number().check(z.int(), z.minimum(0), z.maximum(100)),
  attribution: CampaignAttributionSchema,
  timings: TimingsSchema,
};

/** The Slack user who acted (Slack's own id, e.g. U0123ABCD), for mapping to a CRM owner. */
export const SlackActorSchema = z.strictObject({ slackUserId: z.string() });

/** A rep claimed the lead in Slack (the first Claim wins); `timings.claimedAt` is set. */
export const LeadClaimedV2Schema = z.strictObject({
  ...AlertedLeadFields,
  claimedBy: SlackActorSchema,
  claimedAt: isoTime,
  /** From the platform's created time to the claim. */
  secondsToClaim: z.number().check(z.int(), z.minimum(0)),
});
export type LeadClaimedV2 = z.infer<typeof LeadClaimedV2Schema>;

/** A rep marked the lead "Not a fit" in Slack before anyone claimed it. */
export const LeadDisqualifiedV2Schema = z.strictObject({
  ...AlertedLeadFields,
  disqualifiedBy: SlackActorSchema,
  disqualifiedAt: isoTime,
  reason: z.literal('not_a_fit'),
});
export type LeadDisqualifiedV2 = z.infer<typeof LeadDisqualifiedV2Schema>;

/** Nobody claimed the lead within its SLA: it was escalated (level 1, then optionally level 2). */
export const LeadSlaBreachedV2Schema = z.strictObject({
  ...AlertedLeadFields,
  level: z.number().check(z.int(), z.minimum(1)),
  slaMinutes: z.number().check(z.positive()),
  dueAt: isoTime,
  breachedAt: isoTime,
  /** The Slack channel id the escalation was posted to. */
  escalatedTo: z.optional(z.string()),
});
export type LeadSlaBreachedV2 = z.infer<typeof LeadSlaBreachedV2Schema>;

/**
 * A person withdrew a consent through the privacy API: stop using their data for `purpose` (unsubscribe,
 * stop calls...). The ledger keeps the withdrawal as a new record; `proofHash` identifies it. Ids only.
 */
export const ConsentWithdrawnV1Schema = z.strictObject({
  version: z.literal('1'),
  contactId: z.string(),
  purpose: z.string(),
  /** The ledger record of the withdrawal. */
  recordId: z.string(),
  proofHash: z.string(),
  /** The notice version the person had agreed to ("none" when the hub held no record for the purpose). */
  noticeVersion: z.string(),
  /** Whether the person had granted the purpose before this withdrawal. */
  previouslyGranted: z.boolean(),
  source: z.literal('privacy_api'),
  withdrawnAt: isoTime,
});
export type ConsentWithdrawnV1 = z.infer<typeof ConsentWithdrawnV1Schema>;

/**
 * A person was erased (right to erasure): delete every record you hold for these contact and lead ids.
 * The hub keeps a tombstone with the consent proof hashes and a peppered suppression entry, no PII; this
 * event carries none either.
 */
export const ContactErasedV1Schema = z.strictObject({
  version: z.literal('1'),
  contactId: z.string(),
  /** Older ids of the same person (contacts merged into this one): delete those too. */
  mergedContactIds: z.array(z.string()),
  leadIds: z.array(z.string()),
  erasureId: z.string(),
  erasedAt: isoTime,
});
export type ContactErasedV1 = z.infer<typeof ContactErasedV1Schema>;

/**
 * Two contacts turned out to be one person (one submission matched both, e.g. the email one and the phone
 * the other): `mergedContactId` now resolves to `contactId`, the older of the two, and its leads moved
 * there. Merge the two records in your CRM. Ids only.
 */
export const ContactsMergedV1Schema = z.strictObject({
  version: z.literal('1'),
  /** The surviving (older) contact. */
  contactId: z.string(),
  mergedContactId: z.string(),
  /** Leads that moved to the survivor. */
  leadIds: z.array(z.string()),
  /** Which kinds of identity key matched both contacts. */
  matchedOn: z.array(z.enum(['email', 'phone', 'platform'])),
  mergedAt: isoTime,
});
export type ContactsMergedV1 = z.infer<typeof ContactsMergedV1Schema>;

/** detail-type → schema of the detail. The JSON Schema files in events/schemas/ are generated from this. */
export const EventContracts = {
  LeadCaptured: LeadCapturedV2Schema,
  LeadScored: LeadScoredV2Schema,
  LeadClaimed: LeadClaimedV2Schema,
  LeadDisqualified: LeadDisqualifiedV2Schema,
  LeadSlaBreached: LeadSlaBreachedV2Schema,
  SourceConnectionFailed: SourceConnectionFailedV1Schema,
  LeadDeleted: LeadDeletedV1Schema,
  ConsentWithdrawn: ConsentWithdrawnV1Schema,
  ContactErased: ContactErasedV1Schema,
  ContactsMerged: ContactsMergedV1Schema,
} as const;
export type EventDetailType = keyof typeof EventContracts;
export type EventDetail<T extends EventDetailType> = z.infer<(typeof EventContracts)[T]>;

/** The contract version each detail-type is published at (its `version` field). */
export const EventVersions: { readonly [T in EventDetailType]: EventDetail<T>['version'] } = {
  LeadCaptured: '2',
  LeadScored: '2',
  LeadClaimed: '2',
  LeadDisqualified: '2',
  LeadSlaBreached: '2',
  SourceConnectionFailed: '1',
  LeadDeleted: '1',
  ConsentWithdrawn: '1',
  ContactErased: '1',
  ContactsMerged: '1',
};
