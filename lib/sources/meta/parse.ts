import { parse as losslessParse } from 'lossless-json';
import * as z from '../../zod.js';
import { isRecord, optionalField, type UnreadableItem } from '../unreadable.js';

/**
 * Meta ids are digits, up to 18 and more: past 2^53, so a bare JSON number would be corrupted by
 * JSON.parse. The body is parsed with every number kept as its source text, and ids stay strings.
 */
const IdSchema = z.string().check(z.regex(/^\d{1,32}$/, 'a Meta id (digits)'));
/** Unix seconds, as in the webhook (the Graph lead object uses ISO strings instead). */
const UnixSecondsSchema = z.string().check(z.regex(/^\d{1,12}$/, 'unix seconds'));

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
      /** The same leadgen_id twice in one batch: kept once. */
      repeated: number;
      /** Entries and changes without a usable lead (no usable leadgen_id or page id): quarantined. */
      unreadable: UnreadableItem[];
      /** Names of optional fields left out of some notification because they could not be read. */
      leftOut: string[];
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

/** What the page entry around a change says: its page id and when Meta sent it, as far as readable. */
interface EntryContext {
  pageId?: string;
  notifiedAt?: string;
}

type ChangeReading =
  | { kind: 'lead'; notification: MetaLeadNotification }
  | { kind: 'ignored' }
  | { kind: 'unreadable'; reason: string };

/**
 * One change: a leadgen change yields a notification as long as its leadgen_id and a page id (its own,
 * else the entry's) are usable; every other field that cannot be read is left out (capture reads the
 * lead itself from the Graph API), its name noted in `leftOut`.
 */
function readChange(object: string, raw: unknown, entry: EntryContext, leftOut: string[]): ChangeReading {
  if (!isRecord(raw) || typeof raw.field !== 'string')
    return { kind: 'unreadable', reason: 'change is not an object with a "field"' };
  if (object !== 'page' || raw.field !== 'leadgen') return { kind: 'ignored' };
  const value = raw.value;
  if (!isRecord(value)) return { kind: 'unreadable', reason: 'leadgen change value is not an object' };
  const leadgenId = IdSchema.safeParse(value.leadgen_id);
  if (!leadgenId.success) return { kind: 'unreadable', reason: 'leadgen change without a usable leadgen_id' };
  const pageId = optionalField(value, 'page_id', IdSchema, leftOut) ?? entry.pageId;
  // The page says which token reads the lead: without one there is nothing to fetch it with.
  if (!pageId) return { kind: 'unreadable', reason: 'leadgen change without a usable page_id' };
  const formId = optionalField(value, 'form_id', IdSchema, leftOut);
  const adId =
    optionalField(value, 'ad_id', IdSchema, leftOut) ?? optionalField(value, 'adgroup_id', IdSchema, leftOut);
  const createdTime = isoFromUnix(optionalField(value, 'created_time', UnixSecondsSchema, leftOut));
  return {
    kind: 'lead',
    notification: {
      leadgenId: leadgenId.data,
      pageId,
      ...(formId ? { formId } : {}),
      ...(adId ? { adId } : {}),
      ...(createdTime ? { createdTime } : {}),
      ...(entry.notifiedAt ? { notifiedAt: entry.notifiedAt } : {}),
    },
  };
}

/**
 * Reads a webhook delivery (`object=page`, possibly many entries each with many changes) into one
 * notification per leadgen change. Only the envelope being unreadable fails the whole delivery: an entry
 * or change without a usable lead is handed back in `unreadable`, to be quarantined, and the rest is read.
 */
export function parseMetaWebhook(body: Buffer): ParseWebhookResult {
  const json = parseLosslessJson(body.toString('utf8'));
  if (json === undefined) return { ok: false, message: 'Body is not valid JSON' };
  const envelope = EnvelopeSchema.safeParse(json);
  if (!envelope.success)
    return { ok: false, message: 'Body must be an object with "object" and an "entry" list' };
  const { object } = envelope.data;

  const notifications: MetaLeadNotification[] = [];
  const unreadable: UnreadableItem[] = [];
  const leftOut: string[] = [];
  const seen = new Set<string>();
  let ignored = 0;
  let repeated = 0;
  for (const rawEntry of envelope.data.entry) {
    const changes = isRecord(rawEntry) ? (rawEntry.changes ?? []) : undefined;
    if (!isRecord(rawEntry) || !Array.isArray(changes)) {
      unreadable.push({
        item: rawEntry,
        context: { object, part: 'entry' },
        reason: 'entry is not an object with a "changes" list',
      });
      continue;
    }
    const pageId = optionalField(rawEntry, 'id', IdSchema, leftOut);
    const time = optionalField(rawEntry, 'time', UnixSecondsSchema, leftOut);
    const entry: EntryContext = {
      ...(pageId ? { pageId } : {}),
      ...(time ? { notifiedAt: isoFromUnix(time) } : {}),
    };
    for (const rawChange of changes) {
      const reading = readChange(object, rawChange, entry, leftOut);
      if (reading.kind === 'ignored') {
        ignored++;
      } else if (reading.kind === 'unreadable') {
        unreadable.push({
          item: rawChange,
          context: {
            object,
            part: 'change',
            ...(pageId ? { entryId: pageId } : {}),
            ...(time ? { entryTime: time } : {}),
          },
          reason: reading.reason,
        });
      } else if (seen.has(reading.notification.leadgenId)) {
        repeated++;
      } else {
        seen.add(reading.notification.leadgenId);
        notifications.push(reading.notification);
      }
    }
  }
  return { ok: true, object, notifications, ignored, repeated, unreadable, leftOut: [...new Set(leftOut)] };
}

/**
 * The one-entry delivery a quarantined item came in (the entry itself, or a change with its entry's page
 * id and time), for the current parser to read again.
 */
export function metaDeliveryOf(item: Pick<UnreadableItem, 'item' | 'context'>): Buffer {
  const { object = 'page', part, entryId, entryTime } = item.context ?? {};
  const entry =
    part === 'entry'
      ? item.item
      : {
          ...(entryId !== undefined ? { id: entryId } : {}),
          ...(entryTime !== undefined ? { time: entryTime } : {}),
          changes: [item.item],
        };
  return Buffer.from(JSON.stringify({ object, entry: [entry] }));
}
