import * as z from '../zod.js';

/** Where a lead came from. Adding a platform adds a value here and a folder under lib/sources/. */
export const SourceSchema = z.enum(['form', 'meta', 'linkedin', 'tiktok', 'google']);
export type Source = z.infer<typeof SourceSchema>;

const optionalText = z.optional(z.string().check(z.minLength(1)));

/** The person's fields every source maps onto; forms, scoring rules and profiles all name them so. */
export const CONTACT_FIELDS = [
  'email',
  'phone',
  'fullName',
  'firstName',
  'lastName',
  'company',
  'jobTitle',
  'country',
  'city',
  'postalCode',
] as const;
export const ContactFieldSchema = z.enum(CONTACT_FIELDS);
export type ContactField = z.infer<typeof ContactFieldSchema>;

/** The contact fields a record carries, without the ones it lacks. */
export function pickContactFields(
  record: Partial<Record<ContactField, string>>,
): Partial<Record<ContactField, string>> {
  const picked: Partial<Record<ContactField, string>> = {};
  for (const field of CONTACT_FIELDS) if (record[field] !== undefined) picked[field] = record[field];
  return picked;
}

export const UtmSchema = z.strictObject({
  source: optionalText,
  medium: optionalText,
  campaign: optionalText,
  term: optionalText,
  content: optionalText,
});
export type Utm = z.infer<typeof UtmSchema>;

/** Platform ids are strings end to end: some exceed 2^53. */
export const AttributionSchema = z.strictObject({
  source: SourceSchema,
  formId: optionalText,
  formName: optionalText,
  pageId: optionalText,
  adId: optionalText,
  adName: optionalText,
  adSetId: optionalText,
  adSetName: optionalText,
  campaignId: optionalText,
  campaignName: optionalText,
  platform: optionalText,
  utm: z._default(UtmSchema, {}),
  landingUrl: optionalText,
  referrer: optionalText,
  /** Ad click ids (gclid, fbclid, ttclid, li_fat_id, ...) for offline-conversion uploads. */
  clickIds: z.optional(z.record(z.string(), z.string())),
});
export type Attribution = z.infer<typeof AttributionSchema>;

/**
 * Attribution without what can single out the person or their click: the landing URL and the referrer
 * (a query string can carry an email or a name) and the ad click ids (online identifiers). What is left
 * names the campaign, ad and form, and the UTM values.
 */
export const CampaignAttributionSchema = z.omit(AttributionSchema, {
  landingUrl: true,
  referrer: true,
  clickIds: true,
});
export type CampaignAttribution = z.infer<typeof CampaignAttributionSchema>;

export function campaignAttribution(attribution: Attribution): CampaignAttribution {
  const { landingUrl: _landingUrl, referrer: _referrer, clickIds: _clickIds, ...campaign } = attribution;
  return campaign;
}

/** A custom question's answer, kept verbatim; multi-select answers keep every value. */
export const AnswerSchema = z.strictObject({
  key: z.string().check(z.minLength(1)),
  label: optionalText,
  values: z.array(z.string()),
});
export type Answer = z.infer<typeof AnswerSchema>;

export const ConsentMethodSchema = z.enum(['web_checkbox', 'platform_checkbox', 'implied']);

/** One consent choice as captured from a submission, before it becomes a ledger record. */
export const ConsentChoiceSchema = z.strictObject({
  purpose: z.string().check(z.minLength(1)),
  key: z.string().check(z.minLength(1)),
  noticeText: z.string(),
  noticeVersion: z.string().check(z.minLength(1)),
  granted: z.boolean(),
  method: ConsentMethodSchema,
  required: z._default(z.boolean(), false),
});
export type ConsentChoice = z.infer<typeof ConsentChoiceSchema>;

export const SubmissionContextSchema = z.strictObject({
  ip: optionalText,
  userAgent: optionalText,
});
export type SubmissionContext = z.infer<typeof SubmissionContextSchema>;

/**
 * What a source's mapper produces: the submitter's data in canonical field names, not yet normalised.
 * Normalisation turns it into a Lead (or a list of field issues).
 */
export const RawLeadSchema = z.strictObject({
  source: SourceSchema,
  platformLeadId: z.string().check(z.minLength(1)),
  platformCreatedAt: z.iso.datetime({ offset: true }),
  email: z.optional(z.string()),
  phone: z.optional(z.string()),
  fullName: z.optional(z.string()),
  firstName: z.optional(z.string()),
  lastName: z.optional(z.string()),
  company: z.optional(z.string()),
  jobTitle: z.optional(z.string()),
  country: z.optional(z.string()),
  city: z.optional(z.string()),
  postalCode: z.optional(z.string()),
  answers: z._default(z.array(AnswerSchema), []),
  attribution: AttributionSchema,
  consents: z._default(z.array(ConsentChoiceSchema), []),
  context: z._default(SubmissionContextSchema, {}),
  isTest: z._default(z.boolean(), false),
});
export type RawLead = z.input<typeof RawLeadSchema>;
export type ParsedRawLead = z.output<typeof RawLeadSchema>;

/** The canonical, normalised lead: the same shape whatever the source. */
export const LeadSchema = z.strictObject({
  leadId: z.string().check(z.minLength(1)),
  source: SourceSchema,
  platformLeadId: z.string().check(z.minLength(1)),
  platformCreatedAt: z.iso.datetime({ offset: true }),
  receivedAt: z.iso.datetime({ offset: true }),
  email: z.optional(z.email()),
  phone: z.optional(z.string().check(z.regex(/^\+[1-9]\d{6,14}$/, 'E.164'))),
  phoneCountry: z.optional(z.string().check(z.length(2))),
  fullName: optionalText,
  firstName: optionalText,
  lastName: optionalText,
  company: optionalText,
  jobTitle: optionalText,
  country: z.optional(z.string().check(z.length(2))),
  city: optionalText,
  postalCode: optionalText,
  answers: z.array(AnswerSchema),
  attribution: AttributionSchema,
  consents: z.array(ConsentChoiceSchema),
  context: SubmissionContextSchema,
  isTest: z.boolean(),
  /** Set when the lead was cut to LEAD_LIMITS (lib/lead/limits.ts); its receipt keeps what came. */
  truncated: z.optional(z.boolean()),
});
export type Lead = z.infer<typeof LeadSchema>;

/** A field that failed normalisation or a required-field check, reported back to the submitter. */
export interface FieldIssue {
  field: string;
  message: string;
}
