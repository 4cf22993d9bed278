import * as z from '../../zod.js';
import { optional } from '../mapping.js';
import { parseLosslessJson } from '../meta/parse.js';
import { isRecord, optionalField, type UnreadableItem } from '../unreadable.js';

/**
 * One Google Ads lead (the proto `WebhookLead`), as the receipt keeps it: everything but the key. The
 * int64 ids (form, campaign, ad group, creative, asset group) were parsed losslessly and stay strings.
 */
export const GoogleLeadPayloadSchema = z.strictObject({
  leadId: z.string().check(z.minLength(1), z.maxLength(512)),
  formId: z.optional(z.string()),
  campaignId: z.optional(z.string()),
  adgroupId: z.optional(z.string()),
  creativeId: z.optional(z.string()),
  /** Performance Max only. */
  assetGroupId: z.optional(z.string()),
  /** The Google click id (gclid). */
  gclId: z.optional(z.string()),
  apiVersion: z.optional(z.string()),
  leadStage: z.optional(z.string()),
  /** LEAD_FORM or CONVERSATIONAL_AGENT (UNCONFIRMED: secondary sources only). */
  leadSource: z.optional(z.string()),
  /** ISO time the lead was submitted. */
  submitTime: z.optional(z.iso.datetime({ offset: true })),
  /** "Send test data" from the lead form. */
  isTest: z.boolean(),
  columns: z.array(
    z.strictObject({
      columnId: z.optional(z.string()),
      columnName: z.optional(z.string()),
      value: z.string(),
    }),
  ),
});
export type GoogleLeadPayload = z.infer<typeof GoogleLeadPayloadSchema>;

const scalar = z.pipe(z.union([z.string(), z.number(), z.boolean()]), z.transform(String));
const LeadIdSchema = z.pipe(
  z.union([z.string(), z.number()]),
  z.transform((v: string | number) => String(v)),
);
const IsTestSchema = z.union([z.boolean(), z.literal('true'), z.literal('false')]);

export type ParseGoogleResult =
  | ({ ok: true; key: unknown } & (
      | { lead: GoogleLeadPayload; leftOut: string[] }
      /** A keyed body without a usable lead_id: to be quarantined (without the key). */
      | { lead?: undefined; unreadable: UnreadableItem }
    ))
  | { ok: false; message: string; key?: unknown };

/** An id worth keeping: 0 means "not set" in proto3 (asset_group_id outside Performance Max). */
const id = (value: string | undefined) => (value && value !== '0' ? value : undefined);

/** One `user_column_data` entry; undefined (its name noted) when it cannot be read. */
function readColumn(raw: unknown, leftOut: string[]): GoogleLeadPayload['columns'][number] | undefined {
  if (!isRecord(raw)) {
    leftOut.push('user_column_data[]');
    return undefined;
  }
  const value = optionalField(raw, 'string_value', scalar, leftOut);
  if (value === undefined && raw.string_value !== undefined && raw.string_value !== null) return undefined;
  const columnId = optionalField(raw, 'column_id', z.string(), leftOut);
  const columnName = optionalField(raw, 'column_name', z.string(), leftOut);
  return {
    ...(columnId ? { columnId } : {}),
    ...(columnName ? { columnName } : {}),
    value: value ?? '',
  };
}

/**
 * Reads a delivery. The key is returned apart (it must be checked before anything is stored, and never
 * stored); `user_column_data` is kept in order with its column ids and names. Unknown fields are ignored,
 * as Google asks receivers to (new ones may come at any time), and a known field that cannot be read is
 * left out, its name noted: only a usable lead_id is needed for the lead.
 */
export function parseGoogleWebhook(body: Buffer): ParseGoogleResult {
  const json = parseLosslessJson(body.toString('utf8'));
  if (!isRecord(json)) return { ok: false, message: 'Body must be a JSON object' };
  const { google_key: key, ...item } = json;
  const leadId = LeadIdSchema.safeParse(json.lead_id);
  if (!leadId.success || leadId.data.trim() === '' || leadId.data.length > 512) {
    return { ok: true, key, unreadable: { item, reason: 'lead without a usable lead_id' } };
  }
  const leftOut: string[] = [];
  const field = (name: string) => optionalField(json, name, scalar, leftOut);
  const submitTime = optionalField(json, 'lead_submit_time', z.string(), leftOut);
  const submitted = submitTime ? Date.parse(submitTime) : Number.NaN;
  const isTest = optionalField(json, 'is_test', IsTestSchema, leftOut);
  const columns = optionalField(json, 'user_column_data', z.array(z.unknown()), leftOut) ?? [];
  const lead: GoogleLeadPayload = {
    leadId: leadId.data,
    ...optional('formId', id(field('form_id'))),
    ...optional('campaignId', id(field('campaign_id'))),
    ...optional('adgroupId', id(field('adgroup_id'))),
    ...optional('creativeId', id(field('creative_id'))),
    ...optional('assetGroupId', id(field('asset_group_id'))),
    ...optional('gclId', field('gcl_id')),
    ...optional('apiVersion', field('api_version')),
    ...optional('leadStage', field('lead_stage')),
    ...optional('leadSource', field('lead_source')),
    ...(Number.isNaN(submitted) ? {} : { submitTime: new Date(submitted).toISOString() }),
    isTest: isTest === true || isTest === 'true',
    columns: columns.flatMap((c) => readColumn(c, leftOut) ?? []),
  };
  return { ok: true, key, lead, leftOut: [...new Set(leftOut)] };
}
