import * as z from '../../zod.js';
import { optional } from '../mapping.js';
import { parseLosslessJson } from '../meta/parse.js';

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

/** Unknown fields are ignored, as Google asks receivers to (new ones may come at any time). */
const BodySchema = z.object({
  lead_id: z.pipe(z.union([z.string(), z.number()]), z.transform(String)),
  google_key: z.unknown(),
  user_column_data: z._default(
    z.array(
      z.looseObject({
        column_id: z.optional(z.string()),
        column_name: z.optional(z.string()),
        string_value: z.optional(scalar),
      }),
    ),
    [],
  ),
  api_version: z.optional(scalar),
  form_id: z.optional(scalar),
  campaign_id: z.optional(scalar),
  adgroup_id: z.optional(scalar),
  creative_id: z.optional(scalar),
  asset_group_id: z.optional(scalar),
  gcl_id: z.optional(scalar),
  lead_stage: z.optional(scalar),
  lead_source: z.optional(scalar),
  lead_submit_time: z.optional(z.string()),
  is_test: z.optional(z.union([z.boolean(), z.literal('true'), z.literal('false')])),
});

export type ParseGoogleResult =
  | { ok: true; key: unknown; lead: GoogleLeadPayload }
  | { ok: false; message: string; key?: unknown };

/** An id worth keeping: 0 means "not set" in proto3 (asset_group_id outside Performance Max). */
const id = (value: string | undefined) => (value && value !== '0' ? value : undefined);

/**
 * Reads a delivery. The key is returned apart (it must be checked before anything is stored, and never
 * stored); `user_column_data` is kept in order with its column ids and names.
 */
export function parseGoogleWebhook(body: Buffer): ParseGoogleResult {
  const json = parseLosslessJson(body.toString('utf8'));
  if (json === undefined || json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, message: 'Body must be a JSON object' };
  }
  const key = (json as Record<string, unknown>).google_key;
  const parsed = BodySchema.safeParse(json);
  if (!parsed.success) {
    const path = parsed.error.issues[0]?.path.join('.') || '(body)';
    return { ok: false, key, message: `Body is not a Google Ads lead: ${path} is missing or malformed` };
  }
  const b = parsed.data;
  if (b.lead_id.trim() === '' || b.lead_id.length > 512) {
    return { ok: false, key, message: 'lead_id is missing or malformed' };
  }
  const submitted = b.lead_submit_time ? Date.parse(b.lead_submit_time) : Number.NaN;
  const lead: GoogleLeadPayload = {
    leadId: b.lead_id,
    ...optional('formId', id(b.form_id)),
    ...optional('campaignId', id(b.campaign_id)),
    ...optional('adgroupId', id(b.adgroup_id)),
    ...optional('creativeId', id(b.creative_id)),
    ...optional('assetGroupId', id(b.asset_group_id)),
    ...optional('gclId', b.gcl_id),
    ...optional('apiVersion', b.api_version),
    ...optional('leadStage', b.lead_stage),
    ...optional('leadSource', b.lead_source),
    ...(Number.isNaN(submitted) ? {} : { submitTime: new Date(submitted).toISOString() }),
    isTest: b.is_test === true || b.is_test === 'true',
    columns: b.user_column_data.map((c) => ({
      ...(c.column_id ? { columnId: c.column_id } : {}),
      ...(c.column_name ? { columnName: c.column_name } : {}),
      value: c.string_value ?? '',
    })),
  };
  return { ok: true, key, lead };
}
