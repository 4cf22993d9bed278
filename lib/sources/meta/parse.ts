import { parse as losslessParse } from 'lossless-json';
import * as z from '../../zod.js';

/**
 * Meta ids are digits, up to 18 and more: past 2^53, so a bare JSON number would be corrupted by
 * JSON.parse. The body is parsed with every number kept as its source text, and ids stay strings.
 */
const IdSchema = z.string().check(z.regex(/^\d{1,32}$/, 'a Meta id (digits)'));
/** Unix seconds, as in the webhook (the Graph lead object uses ISO strings instead). */
const UnixSecondsSchema = z.string().check(z.regex(/^\d{1,12}$/, 'unix seconds'));

const LeadgenValueSchema = z.object({
  leadgen_id: IdSchema,
  page_id: IdSchema,
  form_id: z.optional(IdSchema),
  ad_id: z.optional(IdSchema),
  /** Legacy name of the ad id. */
  adgroup_id: z.optional(IdSchema),
  created_time: z.optional(UnixSecondsSchema),
});

const ChangeSchema = z.object({ field: z.string(), value: z.unknown() });

const EntrySchema = z.object({
  /** The page id. */
  id: z.optional(z.string()),
  /** When Meta sent the notification (not when the lead was made). */
  time: z.optional(UnixSecondsSchema),
  changes: z._default(z.array(z.unknown()), []),
});

const EnvelopeSchema = z.object({
  object: z.string(),
  entry: z.array(z.unknown()),
});

/** One new lead, as the webhook announces it: the receipt payload the capture worker fetches by. */
export const MetaLeadNotificationSchema = z.strictObject({
  leadgenId: IdSchema,
  pageId: IdSchema,
  formId: z.optional(IdSchema),
  adId: z.optional(IdSchema),
  /** ISO time the lead was created, from the webhook's unix seconds. */
  createdTime: z.optional(z.iso.datetime({ offset: true })),
  /** ISO time Meta sent the notification. */
  notifiedAt: z.optional(z.iso.datetime({ offset: true })),
  /** Set when the scheduled reconciliation found the lead instead of a webhook. */
  via: z.optional(z.literal('reconcile')),
});
export type MetaLeadNotification = z.infer<typeof MetaLeadNotificationSchema>;

export type ParseWebhookResult =
  | {
      ok: true;
      object: string;
      notifications: MetaLeadNotification[];
      /** Changes of other fields (or other objects than `page`): not ours, acknowledged and dropped. */
      ignored: number;
      /** leadgen changes that lack a usable leadgen_id or page_id: retrying cannot fix them. */
      invalid: number;
      /** The same leadgen_id twice in one batch: kept once. */
      repeated: number;
    }
  | { ok: false; message: string };

const isoFromUnix = (seconds: string | undefined) =>
  seconds === undefined ? undefined : new Date(Number(seconds) * 1000).toISOString();

/** Parses the body losslessly; undefined when it is not JSON. Numbers come back as their digits. */
export function parseLosslessJson(text: string): unknown {
  try {
    return losslessParse(text, null, { parseNumber: (digits: string) => digits });
  } catch {
    return undefined;
  }
}

/**
 * Reads a webhook delivery (`object=page`, possibly many entries each with many changes) into one
 * notification per leadgen change. Only the envelope being unreadable fails the whole delivery.
 */
export function parseMetaWebhook(body: Buffer): ParseWebhookResult {
  const json = parseLosslessJson(body.toString('utf8'));
  if (json === undefined) return { ok: false, message: 'Body is not valid JSON' };
  const envelope = EnvelopeSchema.safeParse(json);
  if (!envelope.success)
    return { ok: false, message: 'Body must be an object with "object" and an "entry" list' };

  const notifications: MetaLeadNotification[] = [];
  const seen = new Set<string>();
  let ignored = 0;
  let invalid = 0;
  let repeated = 0;
  for (const rawEntry of envelope.data.entry) {
    const entry = EntrySchema.safeParse(rawEntry);
    if (!entry.success) return { ok: false, message: 'Each entry must be an object with a "changes" list' };
    for (const rawChange of entry.data.changes) {
      const change = ChangeSchema.safeParse(rawChange);
      if (!change.success) return { ok: false, message: 'Each change must be an object with a "field"' };
      if (envelope.data.object !== 'page' || change.data.field !== 'leadgen') {
        ignored++;
        continue;
      }
      const value = LeadgenValueSchema.safeParse(change.data.value);
      if (!value.success) {
        invalid++;
        continue;
      }
      const v = value.data;
      if (seen.has(v.leadgen_id)) {
        repeated++;
        continue;
      }
      seen.add(v.leadgen_id);
      const adId = v.ad_id ?? v.adgroup_id;
      const createdTime = isoFromUnix(v.created_time);
      const notifiedAt = isoFromUnix(entry.data.time);
      notifications.push({
        leadgenId: v.leadgen_id,
        pageId: v.page_id,
        ...(v.form_id ? { formId: v.form_id } : {}),
        ...(adId ? { adId } : {}),
        ...(createdTime ? { createdTime } : {}),
        ...(notifiedAt ? { notifiedAt } : {}),
      });
    }
  }
  return { ok: true, object: envelope.data.object, notifications, ignored, invalid, repeated };
}
