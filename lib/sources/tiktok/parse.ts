import * as z from '../../zod.js';
import { isoFromEpoch, optional } from '../mapping.js';
import { parseLosslessJson } from '../meta/parse.js';
import { isRecord, optionalField, type UnreadableItem } from '../unreadable.js';

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

const LeadIdSchema = z.pipe(numberOrText, IdSchema);
const ChangeSchema = z.object({ field: z.string(), value: z.unknown() });
const TimeSchema = z.union([z.string(), z.number()]);

const EnvelopeSchema = z.object({
  object: numberOrText,
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
      /** Lead entries without a usable lead id, or without an advertiser or library id: quarantined. */
      unreadable: UnreadableItem[];
      /** Names of optional fields left out of some lead because they could not be read. */
      leftOut: string[];
      /** The same lead twice in one delivery: kept once. */
      repeated: number;
      /** Leads of advertisers not on TIKTOK_ADVERTISER_IDS. */
      rejected: number;
    }
  | { ok: false; message: string };

type EntryReading =
  | { kind: 'lead'; lead: TikTokLead }
  | { kind: 'rejected' }
  | { kind: 'unreadable'; reason: string };

/** What the envelope around an entry says. */
interface Envelope {
  notifiedAt?: string;
  requestId?: string;
}

/**
 * One lead entry: it yields a lead as long as its id and its advertiser (or form library) id are usable;
 * every other field, and every answer, that cannot be read is left out, its name noted in `leftOut`.
 */
function readEntry(
  raw: unknown,
  envelope: Envelope,
  allowedAdvertisers: ReadonlySet<string> | undefined,
  leftOut: string[],
): EntryReading {
  if (!isRecord(raw)) return { kind: 'unreadable', reason: 'lead entry is not an object' };
  const id = LeadIdSchema.safeParse(raw.id);
  if (!id.success) return { kind: 'unreadable', reason: 'lead entry without a usable id' };
  const field = <T>(name: string, schema: z.ZodMiniType<T>) => optionalField(raw, name, schema, leftOut);
  const advertiserId = field('advertiser_id', optionalId);
  const libraryId = field('library_id', optionalId);
  if (!advertiserId && !libraryId)
    return { kind: 'unreadable', reason: 'lead entry without a usable advertiser_id or library_id' };
  if (allowedAdvertisers) {
    // An advertiser id that is there but unreadable cannot be checked against the list: kept, not refused.
    if (!advertiserId && raw.advertiser_id !== undefined && raw.advertiser_id !== null)
      return {
        kind: 'unreadable',
        reason: 'advertiser_id unreadable, so TIKTOK_ADVERTISER_IDS cannot be checked',
      };
    if (!advertiserId || !allowedAdvertisers.has(advertiserId)) return { kind: 'rejected' };
  }
  const rawChanges = field('changes', z.array(z.unknown())) ?? [];
  const changes = rawChanges.flatMap((c) => {
    const change = ChangeSchema.safeParse(c);
    if (change.success) return [{ field: change.data.field, value: change.data.value }];
    leftOut.push('changes[]');
    return [];
  });
  const text = (name: string) => field(name, optionalText);
  const createTime = tiktokTime(field('create_time', TimeSchema));
  const lead: TikTokLead = {
    leadId: id.data,
    ...optional('advertiserId', advertiserId),
    ...optional('libraryId', libraryId),
    ...optional('advertiserName', text('advertiser_name')),
    ...optional('pageId', field('page_id', optionalId)),
    ...optional('pageName', text('page_name')),
    ...optional('campaignId', field('campaign_id', optionalId)),
    ...optional('campaignName', text('campaign_name')),
    ...optional('adgroupId', field('adgroup_id', optionalId)),
    ...optional('adgroupName', text('adgroup_name')),
    ...optional('adId', field('ad_id', optionalId)),
    ...optional('adName', text('ad_name')),
    ...optional('leadSource', text('lead_source')),
    ...optional('createTime', createTime),
    ...optional('notifiedAt', envelope.notifiedAt),
    ...optional('requestId', envelope.requestId),
    changes,
  };
  return { kind: 'lead', lead };
}

/**
 * Reads a delivery. Only `object` 1 (lead) is kept; ids stay exact strings however they were written;
 * when an allow-list is given, leads of other advertisers are counted and dropped. Only the envelope
 * being unreadable fails the whole delivery: an entry without a usable lead is handed back in
 * `unreadable` (with the envelope parts that reading it again needs), to be quarantined.
 */
export function parseTikTokWebhook(
  body: Buffer,
  allowedAdvertisers?: ReadonlySet<string>,
): ParseTikTokResult {
  const json = parseLosslessJson(body.toString('utf8'));
  if (json === undefined) return { ok: false, message: 'Body is not valid JSON' };
  const parsed = EnvelopeSchema.safeParse(json);
  if (!parsed.success || !isRecord(json)) {
    return { ok: false, message: 'Body must be an object with "object" and an "entry" list' };
  }
  const result = {
    leads: [] as TikTokLead[],
    ignored: 0,
    unreadable: [] as UnreadableItem[],
    repeated: 0,
    rejected: 0,
  };
  const leftOut: string[] = [];
  const { object, entry: entries } = parsed.data;
  if (object !== '1') {
    return { ok: true, ...result, leftOut, ignored: Math.max(1, entries.length) };
  }
  const time = optionalField(json, 'time', TimeSchema, leftOut);
  const requestId = optionalField(json, 'request_id', numberOrText, leftOut);
  const notifiedAt = tiktokTime(time);
  const envelope: Envelope = { ...optional('notifiedAt', notifiedAt), ...optional('requestId', requestId) };
  const context = {
    object,
    ...optional('time', time === undefined ? undefined : String(time)),
    ...optional('requestId', requestId),
  };
  const seen = new Set<string>();
  for (const raw of entries) {
    const reading = readEntry(raw, envelope, allowedAdvertisers, leftOut);
    if (reading.kind === 'unreadable') {
      result.unreadable.push({ item: raw, context, reason: reading.reason });
      continue;
    }
    if (reading.kind === 'rejected') {
      result.rejected++;
      continue;
    }
    const key = tiktokPlatformLeadId(reading.lead);
    if (seen.has(key)) {
      result.repeated++;
      continue;
    }
    seen.add(key);
    result.leads.push(reading.lead);
  }
  return { ok: true, ...result, leftOut: [...new Set(leftOut)] };
}

/** The one-entry delivery a quarantined entry came in, for the current parser to read again. */
export function tiktokDeliveryOf(kept: Pick<UnreadableItem, 'item' | 'context'>): Buffer {
  const { object = '1', time, requestId } = kept.context ?? {};
  return Buffer.from(
    JSON.stringify({
      object,
      ...(time !== undefined ? { time } : {}),
      ...(requestId !== undefined ? { request_id: requestId } : {}),
      entry: [kept.item],
    }),
  );
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
