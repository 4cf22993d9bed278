import { z } from 'zod';
import { AnswerSchema, AttributionSchema, SourceSchema } from '../lib/lead/model.js';

/** Every LeadHub event has this EventBridge `source`. */
export const EVENT_SOURCE = 'leadhub';

const isoTime = z.iso.datetime({ offset: true });

/** When each stage happened, from the platform's own timestamp onwards (speed-to-lead). */
export const TimingsSchema = z
  .object({
    platformCreatedAt: isoTime,
    receivedAt: isoTime,
    capturedAt: isoTime.optional(),
    scoredAt: isoTime.optional(),
  })
  .strict();

/** The person as captured. PII is present because CRMs need it to create the record. */
export const ContactDetailsSchema = z
  .object({
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
  })
  .strict();

export const ConsentSummarySchema = z
  .object({
    purpose: z.string(),
    granted: z.boolean(),
    noticeVersion: z.string(),
    noticeHash: z.string(),
    method: z.string(),
  })
  .strict();

export const LeadCapturedV1Schema = z
  .object({
    version: z.literal('1'),
    leadId: z.string(),
    contactId: z.string(),
    source: SourceSchema,
    platformLeadId: z.string(),
    isTest: z.boolean(),
    attribution: AttributionSchema,
    contact: ContactDetailsSchema,
    answers: z.array(AnswerSchema),
    consents: z.array(ConsentSummarySchema),
    timings: TimingsSchema,
  })
  .strict();
export type LeadCapturedV1 = z.infer<typeof LeadCapturedV1Schema>;

export const EmailTypeSchema = z.enum(['corporate', 'free', 'disposable']);

export const EnrichmentSchema = z
  .object({
    emailDomain: z.string().optional(),
    emailType: EmailTypeSchema.optional(),
    companyDomain: z.string().optional(),
    phoneCountry: z.string().optional(),
    phoneLineType: z.string().optional(),
  })
  .strict();
export type Enrichment = z.infer<typeof EnrichmentSchema>;

export const ScoreReasonSchema = z
  .object({
    category: z.enum(['fit', 'intent', 'negative', 'completeness']),
    rule: z.string(),
    points: z.number(),
    reason: z.string(),
  })
  .strict();
export type ScoreReason = z.infer<typeof ScoreReasonSchema>;

export const ScoreBreakdownSchema = z
  .object({
    fit: z.number(),
    intent: z.number(),
    negative: z.number(),
    completeness: z.number(),
    reasons: z.array(ScoreReasonSchema),
  })
  .strict();
export type ScoreBreakdown = z.infer<typeof ScoreBreakdownSchema>;

export const LeadScoredV1Schema = LeadCapturedV1Schema.extend({
  score: z.number().int().min(0).max(100),
  grade: z.string(),
  stage: z.string(),
  breakdown: ScoreBreakdownSchema,
  enrichment: EnrichmentSchema,
}).strict();
export type LeadScoredV1 = z.infer<typeof LeadScoredV1Schema>;

/** detail-type → schema of the detail. The JSON Schema files in events/schemas/ are generated from this. */
export const EventContracts = {
  LeadCaptured: LeadCapturedV1Schema,
  LeadScored: LeadScoredV1Schema,
} as const;
export type EventDetailType = keyof typeof EventContracts;
export type EventDetail<T extends EventDetailType> = z.infer<(typeof EventContracts)[T]>;
