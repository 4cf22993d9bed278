import * as z from '../../zod.js';
import { isoFromEpoch } from '../mapping.js';
import { parseLosslessJson } from '../meta/parse.js';

/** TikTok ids are digits, 19 and more: the webhook may send them as bare numbers, so they are parsed losslessly. */
const IdSchema = z.string().check(z.regex(/^\d{1,32}$/, 'a TikTok id (digits)'));

/** What a delivery passed, recorded on every receipt while TikTok's signature scheme is unconfirmed. */
export const TikTokTrustSchema = z.strictObject({
  /** The secret path token matched (always, or nothing is stored). */
  pathToken: z.literal('passed'),
  /** X-Open-Signature: verified with TIKTOK_APP_SECRET, absent, or present but not checkable (no secret). */
  signature: z.enum(['verified', 'absent', 'unchecked']),
  /** What a verified signature covered: the raw bytes or their unicode-escaped form. */
  signedOver: z.optional(z.enum(['raw', 'escaped'])),
  /** The advertiser is on TIKTOK_ADVERTISER_IDS, or no list is configured. */
  advertiser: z.enum(['allow_listed', 'no_allow_list']),
});
export type TikTokTrust = z.infer<typeof TikTokTrustSchema>;

/** One change of an instant form: the field as the form names it; value a string (or, reportedly, an object). */
export const TikTokChangeSchema = z.strictObject({ field: z.string(), value: z.unknown() });

/** One lead (an `entry` of an `object: 1` delivery), as the receipt keeps it: the webhook is the only source. */
export const TikTokLeadPayloadSchema = z.strictObject({
  leadId: IdSchema,
  advertiserId: z.optional(IdSchema),
  libraryId: z.optional(IdSchema),
  advertiserName: z.optional(z.string()),
  pageId: z.optional(IdSchema),
  pageName: z.optional(z.string()),
  campaignId: z.optional(IdSchema),
  campaignName: z.optional(z.string()),
  adgroupId: z.optional(IdSchema),
  adgroupName: z.optional(z.string()),
  adId: z.optional(IdSchema),
  adName: z.optional(z.string()),
  leadSource: z.optional(z.string()),
  /** ISO time the lead was created. */
  createTime: z.optional(z.iso.datetime({ offset: true })),
  /** ISO time TikTok sent the delivery. */
  notifiedAt: z.optional(z.iso.datetime({ offset: true })),
  requestId: z.optional(z.string()),
  /** The answers, raw. */
  changes: z.array(TikTokChangeSchema),
  trust: TikTokTrustSchema,
});
export type TikTokLeadPayload = z.infer<typeof TikTokLeadPayloadSchema>;
export type TikTokLead = Omit<TikTokLeadPayload, 'trust'>;

/** The dedupe key: advertiser (or form library) and lead id. */
export function tiktokPlatformLeadId(
  lead: Pick<TikTokLead, 'advertiserId' | 'libraryId' | 'leadId'>,
): string {
  return `${lead.advertiserId ?? `library-${lead.libraryId}`}:${lead.leadId}`;
}

/** A string or a bare number, as its text. */
const numberOrText = z.pipe(z.union([z.string(), z.number()]), z.transform(String));
const optionalId = z.pipe(
  z.pipe(
    numberOrText,
    z.transform((v: string) => (v === '' || v === '0' ? undefined : v)),
  ),
  z.optional(IdSchema),
);
const optionalText = z.optional(
  z.pipe(
    z.string(),
    z.transform((v: string) => (v.trim() === '' ? undefined : v)),
  ),
);

const EntrySchema = z.object({
  id: z.pipe(numberOrText, IdSchema),
  lead_source: optionalText,
  page_id: z.optional(optionalId),
  page_name: optionalText,
  advertiser_id: z.optional(optionalId),
  advertiser_name: optionalText,
  library_id: z.optional(optionalId),
  campaign_id: z.optional(optionalId),
  campaign_name: optionalText,
  adgroup_id: z.optional(optionalId),
  adgroup_name: optionalText,
  ad_id: z.optional(optionalId),
  ad_name: optionalText,
  create_time: z.optional(z.union([z.string(), z.number()])),
  changes: z._default(z.array(z.object({ field: z.string(), value: z.unknown() })), []),
});

const EnvelopeSchema = z.object({
  request_id: z.optional(numberOrText),
  object: numberOrText,
  time: z.optional(z.union([z.string(), z.number()])),
  entry: z._default(z.array(z.unknown()), []),
});

/** Unix seconds, or (as one implementer parses it) `YYYY-MM-DD HH:MM:SS` in UTC. */
export function tiktokTime(raw: unknown): string | undefined {
  const epoch = isoFromEpoch(raw, 's');
  if (epoch) return epoch;
  if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(raw)) return undefined;
  const ms = Date.parse(`${raw.replace(' ', 'T')}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export type ParseTikTokResult =
  | {
      ok: true;
      leads: TikTokLead[];
      /** Deliveries of other objects (ad reviews, creative fatigue, …) share the callback: dropped. */
      ignored: number;
      /** Lead entries without a usable lead id, or without an advertiser or library id. */
      invalid: number;
      /** The same lead twice in one delivery: kept once. */
      repeated: number;
      /** Leads of advertisers not on TIKTOK_ADVERTISER_IDS. */
      rejected: number;
    }
  | { ok: false; message: string };

/**
 * Reads a delivery. Only `object` 1 (lead) is kept; ids stay exact strings however they were written;
 * when an allow-list is given, leads of other advertisers are counted and dropped.
 */
export function parseTikTokWebhook(
  body: Buffer,
  allowedAdvertisers?: ReadonlySet<string>,
): ParseTikTokResult {
  const json = parseLosslessJson(body.toString('utf8'));
  if (json === undefined) return { ok: false, message: 'Body is not valid JSON' };
  const envelope = EnvelopeSchema.safeParse(json);
  if (!envelope.success || json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, message: 'Body must be an object with "object" and an "entry" list' };
  }
  const result = { leads: [] as TikTokLead[], ignored: 0, invalid: 0, repeated: 0, rejected: 0 };
  if (envelope.data.object !== '1') {
    return { ok: true, ...result, ignored: Math.max(1, envelope.data.entry.length) };
  }
  const notifiedAt = tiktokTime(envelope.data.time);
  const seen = new Set<string>();
  for (const raw of envelope.data.entry) {
    const entry = EntrySchema.safeParse(raw);
    if (!entry.success || (!entry.data.advertiser_id && !entry.data.library_id)) {
      result.invalid++;
      continue;
    }
    const e = entry.data;
    if (allowedAdvertisers && (!e.advertiser_id || !allowedAdvertisers.has(e.advertiser_id))) {
      result.rejected++;
      continue;
    }
    const createTime = tiktokTime(e.create_time);
    const lead: TikTokLead = {
      leadId: e.id,
      ...(e.advertiser_id ? { advertiserId: e.advertiser_id } : {}),
      ...(e.library_id ? { libraryId: e.library_id } : {}),
      ...(e.advertiser_name ? { advertiserName: e.advertiser_name } : {}),
      ...(e.page_id ? { pageId: e.page_id } : {}),
      ...(e.page_name ? { pageName: e.page_name } : {}),
      ...(e.campaign_id ? { campaignId: e.campaign_id } : {}),
      ...(e.campaign_name ? { campaignName: e.campaign_name } : {}),
      ...(e.adgroup_id ? { adgroupId: e.adgroup_id } : {}),
      ...(e.adgroup_name ? { adgroupName: e.adgroup_name } : {}),
      ...(e.ad_id ? { adId: e.ad_id } : {}),
      ...(e.ad_name ? { adName: e.ad_name } : {}),
      ...(e.lead_source ? { leadSource: e.lead_source } : {}),
      ...(createTime ? { createTime } : {}),
      ...(notifiedAt ? { notifiedAt } : {}),
      ...(envelope.data.request_id ? { requestId: envelope.data.request_id } : {}),
      changes: e.changes.map((c) => ({ field: c.field, value: c.value })),
    };
    const key = tiktokPlatformLeadId(lead);
    if (seen.has(key)) {
      result.repeated++;
      continue;
    }
    seen.add(key);
    result.leads.push(lead);
  }
  return { ok: true, ...result };
}

/** TIKTOK_ADVERTISER_IDS as a set; undefined (accept any) when unset. */
export function advertiserAllowList(raw: string | undefined): ReadonlySet<string> | undefined {
  if (!raw) return undefined;
  const ids = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return ids.length > 0 ? new Set(ids) : undefined;
}
