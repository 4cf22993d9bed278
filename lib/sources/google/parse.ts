import * as z from 'zod';
import { optional } from '../mapping.js';
import { parseLosslessJson } from '../meta/parse.js';

/**
 * One Google Ads lead (the proto `WebhookLead`), as the receipt keeps it: everything but the key. The
 * int64 ids (form, campaign, ad group, creative, asset group) were parsed losslessly and stay strings.
 */
export const GoogleLeadPayloadSchema = z
  .object({
    leadId: z.string().min(1).max(512),
    formId: z.string().optional(),
    campaignId: z.string().optional(),
    adgroupId: z.string().optional(),
    creativeId: z.string().optional(),
    /** Performance Max only. */
    assetGroupId: z.string().optional(),
    /** The Google click id (gclid). */
    gclId: z.string().optional(),
    apiVersion: z.string().optional(),
    leadStage: z.string().optional(),
    /** LEAD_FORM or CONVERSATIONAL_AGENT (UNCONFIRMED: secondary sources only). */
    leadSource: z.string().optional(),
    /** ISO time the lead was submitted. */
    submitTime: z.iso.datetime({ offset: true }).optional(),
    /** "Send test data" from the lead form. */
    isTest: z.boolean(),
    columns: z.array(
      z
        .object({ columnId: z.string().optional(), columnName: z.string().optional(), value: z.string() })
        .strict(),
    ),
  })
  .strict();
export type GoogleLeadPayload = z.infer<typeof GoogleLeadPayloadSchema>;

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/** Unknown fields are ignored, as Google asks receivers to (new ones may come at any time). */
const BodySchema = z.object({
  lead_id: z.union([z.string(), z.number()]).transform(String),
  google_key: z.unknown(),
  user_column_data: z
    .array(
      z
        .object({
          column_id: z.string().optional(),
          column_name: z.string().optional(),
          string_value: scalar.optional(),
        })
        .loose(),
    )
    .default([]),
  api_version: scalar.optional(),
  form_id: scalar.optional(),
  campaign_id: scalar.optional(),
  adgroup_id: scalar.optional(),
  creative_id: scalar.optional(),
  asset_group_id: scalar.optional(),
  gcl_id: scalar.optional(),
  lead_stage: scalar.optional(),
  lead_source: scalar.optional(),
  lead_submit_time: z.string().optional(),
  is_test: z.union([z.boolean(), z.literal('true'), z.literal('false')]).optional(),
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
