import * as z from '../../zod.js';
import { isoFromEpoch } from '../mapping.js';
import { parseLosslessJson } from '../meta/parse.js';
import { isRecord, optionalField, type UnreadableItem } from '../unreadable.js';

/** A lead form response id: the URN's suffix, e.g. `249592fc-d272-44ba-a7db-c2bdce579507-6`. */
export const ResponseIdSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_-]{1,200}$/, 'a LinkedIn lead form response id'));

const RESPONSE_URN = 'urn:li:leadGenFormResponse:';
const VERSIONED_FORM = /^urn:li:versionedLeadGenForm:\(urn:li:leadGenForm:(\d{1,32}),(\d{1,12})\)$/;
const FORM = /^urn:li:leadGenForm:(\d{1,32})$/;

/** The id in `urn:li:leadGenFormResponse:{id}` (a bare id is taken as it is); undefined when unusable. */
export function responseIdOf(value: string): string | undefined {
  const id = value.startsWith(RESPONSE_URN) ? value.slice(RESPONSE_URN.length) : value;
  return ResponseIdSchema.safeParse(id).success ? id : undefined;
}

/** Form id and version from `urn:li:versionedLeadGenForm:(urn:li:leadGenForm:{id},{version})`. */
export function formOf(urn: string | undefined): { formId: string; formVersion?: string } | undefined {
  if (!urn) return undefined;
  const versioned = VERSIONED_FORM.exec(urn);
  if (versioned) return { formId: versioned[1] as string, formVersion: versioned[2] as string };
  const plain = FORM.exec(urn);
  return plain ? { formId: plain[1] as string } : undefined;
}

/** The last segment of a URN (`urn:li:sponsoredCampaign:198356826` → `198356826`). */
export function urnId(urn: string | undefined): string | undefined {
  if (!urn) return undefined;
  const id = urn.slice(urn.lastIndexOf(':') + 1);
  return id !== '' && id.length <= 200 ? id : undefined;
}

/** URN-valued objects (owner, associatedEntity) whose key is unconfirmed: every string value is kept. */
const UrnMapSchema = z.pipe(
  z.record(z.string(), z.unknown()),
  z.transform((o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string')),
  ),
);

export const LinkedInLeadActionSchema = z.enum(['CREATED', 'DELETED']);
export type LinkedInLeadAction = z.infer<typeof LinkedInLeadActionSchema>;

/** One lead notification as the receipt keeps it: enough to fetch the response and its form later. */
export const LinkedInLeadNotificationSchema = z.strictObject({
  responseId: ResponseIdSchema,
  action: LinkedInLeadActionSchema,
  /** `urn:li:versionedLeadGenForm:(…)` as sent. */
  formUrn: z.optional(z.string()),
  formId: z.optional(z.string()),
  formVersion: z.optional(z.string()),
  leadType: z.optional(z.string()),
  owner: z.optional(z.record(z.string(), z.string())),
  associatedEntity: z.optional(z.record(z.string(), z.string())),
  /** ISO time LinkedIn says the action happened. */
  occurredAt: z.optional(z.iso.datetime({ offset: true })),
  /** Which X-LI-Signature reading the delivery matched, so it can be pinned after real deliveries. */
  signatureVariant: z.optional(z.enum(['A', 'B'])),
});
export type LinkedInLeadNotification = z.infer<typeof LinkedInLeadNotificationSchema>;

const OccurredAtSchema = z.union([z.string(), z.number()]);

export type ParseLinkedInResult =
  | {
      ok: true;
      notifications: LinkedInLeadNotification[];
      /** Not a LEAD_ACTION, or an action other than CREATED / DELETED: acknowledged and dropped. */
      ignored: number;
      /** Lead actions without a usable response id or a readable action: quarantined. */
      unreadable: UnreadableItem[];
      /** Names of optional fields left out of some notification because they could not be read. */
      leftOut: string[];
      /** The same response id and action twice in one delivery: kept once. */
      repeated: number;
    }
  | { ok: false; message: string };

type NotificationReading =
  | { kind: 'lead'; notification: LinkedInLeadNotification }
  | { kind: 'ignored' }
  | { kind: 'unreadable'; reason: string };

/**
 * One notification: a lead action yields a notification as long as its response id and action are
 * usable; any other field that cannot be read is left out (capture fetches the response by its id).
 */
function readNotification(item: unknown, leftOut: string[]): NotificationReading {
  if (!isRecord(item)) return { kind: 'unreadable', reason: 'notification is not an object' };
  const type = optionalField(item, 'type', z.string(), leftOut);
  if (type !== undefined && type !== 'LEAD_ACTION') return { kind: 'ignored' };
  const action = LinkedInLeadActionSchema.safeParse(item.leadAction);
  const rawResponse = item.leadGenFormResponse;
  if (!action.success) {
    // Another action (or another kind of notification) is not ours; a lead whose action is unreadable is.
    if (typeof item.leadAction === 'string' || rawResponse === undefined) return { kind: 'ignored' };
    return { kind: 'unreadable', reason: 'lead notification without a readable leadAction' };
  }
  const responseId = typeof rawResponse === 'string' ? responseIdOf(rawResponse) : undefined;
  if (!responseId) return { kind: 'unreadable', reason: 'lead action without a usable leadGenFormResponse' };
  const formUrn = optionalField(item, 'leadGenForm', z.string(), leftOut);
  const form = formOf(formUrn);
  const leadType = optionalField(item, 'leadType', z.string(), leftOut);
  const owner = optionalField(item, 'owner', UrnMapSchema, leftOut);
  const associatedEntity = optionalField(item, 'associatedEntity', UrnMapSchema, leftOut);
  const occurredAt = isoFromEpoch(optionalField(item, 'occurredAt', OccurredAtSchema, leftOut), 'ms');
  return {
    kind: 'lead',
    notification: {
      responseId,
      action: action.data,
      ...(formUrn ? { formUrn } : {}),
      ...(form ? form : {}),
      ...(leadType ? { leadType } : {}),
      ...(owner && Object.keys(owner).length > 0 ? { owner } : {}),
      ...(associatedEntity && Object.keys(associatedEntity).length > 0 ? { associatedEntity } : {}),
      ...(occurredAt ? { occurredAt } : {}),
    },
  };
}

/**
 * Reads a delivery: one notification object, or (UNCONFIRMED, so accepted too) an array of them. Ids are
 * parsed losslessly. Only the body being unreadable fails the whole delivery: a notification without a
 * usable lead is handed back in `unreadable`, to be quarantined, and the rest is read.
 */
export function parseLinkedInWebhook(body: Buffer): ParseLinkedInResult {
  const json = parseLosslessJson(body.toString('utf8'));
  if (json === undefined) return { ok: false, message: 'Body is not valid JSON' };
  const items = Array.isArray(json) ? json : [json];
  if (items.length === 0 || (!Array.isArray(json) && !isRecord(json))) {
    return { ok: false, message: 'Body must be a notification object or a list of them' };
  }
  const notifications: LinkedInLeadNotification[] = [];
  const unreadable: UnreadableItem[] = [];
  const leftOut: string[] = [];
  const seen = new Set<string>();
  let ignored = 0;
  let repeated = 0;
  for (const item of items) {
    const reading = readNotification(item, leftOut);
    if (reading.kind === 'ignored') {
      ignored++;
      continue;
    }
    if (reading.kind === 'unreadable') {
      unreadable.push({ item, reason: reading.reason });
      continue;
    }
    const { notification } = reading;
    const dedupe = `${notification.responseId}:${notification.action}`;
    if (seen.has(dedupe)) {
      repeated++;
      continue;
    }
    seen.add(dedupe);
    notifications.push(notification);
  }
  return { ok: true, notifications, ignored, unreadable, leftOut: [...new Set(leftOut)], repeated };
}
