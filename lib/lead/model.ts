import * as z from 'zod';

/** Where a lead came from. Adding a platform adds a value here and a folder under lib/sources/. */
export const SourceSchema = z.enum(['form', 'meta', 'linkedin', 'tiktok', 'google']);
export type Source = z.infer<typeof SourceSchema>;

const optionalText = z.string().min(1).optional();

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

export const UtmSchema = z
  .object({
    source: optionalText,
    medium: optionalText,
    campaign: optionalText,
    term: optionalText,
    content: optionalText,
  })
  .strict();
export type Utm = z.infer<typeof UtmSchema>;

/** Platform ids are strings end to end: some exceed 2^53. */
export const AttributionSchema = z
  .object({
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
    utm: UtmSchema.default({}),
    landingUrl: optionalText,
    referrer: optionalText,
    /** Ad click ids (gclid, fbclid, ttclid, li_fat_id, ...) for offline-conversion uploads. */
    clickIds: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type Attribution = z.infer<typeof AttributionSchema>;

/** A custom question's answer, kept verbatim; multi-select answers keep every value. */
export const AnswerSchema = z
  .object({
    key: z.string().min(1),
    label: optionalText,
    values: z.array(z.string()),
  })
  .strict();
export type Answer = z.infer<typeof AnswerSchema>;

export const ConsentMethodSchema = z.enum(['web_checkbox', 'platform_checkbox', 'implied']);

/** One consent choice as captured from a submission, before it becomes a ledger record. */
export const ConsentChoiceSchema = z
  .object({
    purpose: z.string().min(1),
    key: z.string().min(1),
    noticeText: z.string(),
    noticeVersion: z.string().min(1),
    granted: z.boolean(),
    method: ConsentMethodSchema,
    required: z.boolean().default(false),
  })
  .strict();
export type ConsentChoice = z.infer<typeof ConsentChoiceSchema>;

export const SubmissionContextSchema = z
  .object({
    ip: optionalText,
    userAgent: optionalText,
  })
  .strict();
export type SubmissionContext = z.infer<typeof SubmissionContextSchema>;

/**
 * What a source's mapper produces: the submitter's data in canonical field names, not yet normalised.
 * Normalisation turns it into a Lead (or a list of field issues).
 */
export const RawLeadSchema = z
  .object({
    source: SourceSchema,
    platformLeadId: z.string().min(1),
    platformCreatedAt: z.iso.datetime({ offset: true }),
    email: z.string().optional(),
    phone: z.string().optional(),
    fullName: z.string().optional(),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    company: z.string().optional(),
    jobTitle: z.string().optional(),
    country: z.string().optional(),
    city: z.string().optional(),
    postalCode: z.string().optional(),
    answers: z.array(AnswerSchema).default([]),
    attribution: AttributionSchema,
    consents: z.array(ConsentChoiceSchema).default([]),
    context: SubmissionContextSchema.default({}),
    isTest: z.boolean().default(false),
  })
  .strict();
export type RawLead = z.input<typeof RawLeadSchema>;
export type ParsedRawLead = z.output<typeof RawLeadSchema>;

/** The canonical, normalised lead: the same shape whatever the source. */
export const LeadSchema = z
  .object({
    leadId: z.string().min(1),
    source: SourceSchema,
    platformLeadId: z.string().min(1),
    platformCreatedAt: z.iso.datetime({ offset: true }),
    receivedAt: z.iso.datetime({ offset: true }),
    email: z.email().optional(),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'E.164')
      .optional(),
    phoneCountry: z.string().length(2).optional(),
    fullName: optionalText,
    firstName: optionalText,
    lastName: optionalText,
    company: optionalText,
    jobTitle: optionalText,
    country: z.string().length(2).optional(),
    city: optionalText,
    postalCode: optionalText,
    answers: z.array(AnswerSchema),
    attribution: AttributionSchema,
    consents: z.array(ConsentChoiceSchema),
    context: SubmissionContextSchema,
    isTest: z.boolean(),
  })
  .strict();
export type Lead = z.infer<typeof LeadSchema>;

/** A field that failed normalisation or a required-field check, reported back to the submitter. */
export interface FieldIssue {
  field: string;
  message: string;
}
