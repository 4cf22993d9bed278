import { LosslessNumber, stringify } from 'lossless-json';
import { hmacSha256Hex } from '../http/raw-body.js';

/**
 * TikTok lead webhooks for the demo and tests, in the shape TikTok's Go SDK gives:
 * `object` 1, one `entry` per lead, answers inline in `changes`. Ids go out as bare JSON numbers, as one
 * implementer reports the webhook sends them (19 digits: only a lossless parser keeps them).
 */

export const TIKTOK_ADVERTISER_ID = '7163948356417552385';
export const TIKTOK_PAGE_ID = '7643847475366904072';

export interface SandboxTikTokLead {
  id: string;
  advertiser_id: string;
  advertiser_name?: string;
  library_id?: string;
  page_id: string;
  page_name?: string;
  lead_source?: string;
  campaign_id?: string;
  campaign_name?: string;
  adgroup_id?: string;
  adgroup_name?: string;
  ad_id?: string;
  ad_name?: string;
  /** Unix seconds. */
  create_time: number;
  changes: { field: string; value: unknown }[];
}

/** A lead from a TikTok ad on the roofing quote form; override what a scenario needs. */
export function tiktokLead(id: string, overrides: Partial<SandboxTikTokLead> = {}): SandboxTikTokLead {
  return {
    id,
    lead_source: 'INSTANT_FORM',
    advertiser_id: TIKTOK_ADVERTISER_ID,
    advertiser_name: 'Acme Roofing',
    library_id: '',
    page_id: TIKTOK_PAGE_ID,
    page_name: 'Roof quote - TikTok',
    campaign_id: '1800000000000001',
    campaign_name: 'Q4 Leads',
    adgroup_id: '1800000000000002',
    adgroup_name: 'Homeowners',
    ad_id: '1800000000000003',
    ad_name: 'Video A',
    create_time: Math.floor(Date.now() / 1000),
    changes: [
      { field: 'name', value: 'Jade Nguyen' },
      { field: 'email', value: 'jade.nguyen@example.com' },
      { field: 'phone_number', value: '+14155550142' },
      { field: 'zip_code', value: '94110' },
      { field: 'What do you need?', value: 'Roof repair' },
    ],
    ...overrides,
  };
}

/** A mock lead, as /page/lead/mock/create/ makes one: no ad, campaign or ad group. */
export function tiktokMockLead(id: string, overrides: Partial<SandboxTikTokLead> = {}): SandboxTikTokLead {
  const {
    ad_id: _a,
    ad_name: _an,
    adgroup_id: _g,
    adgroup_name: _gn,
    campaign_id: _c,
    campaign_name: _cn,
    ...lead
  } = tiktokLead(id);
  return {
    ...lead,
    changes: [
      { field: 'name', value: 'Test Lead' },
      { field: 'email', value: 'test.lead@example.com' },
    ],
    ...overrides,
  };
}

const ID_KEYS = new Set(['id', 'advertiser_id', 'page_id', 'campaign_id', 'adgroup_id', 'ad_id']);

function withNumericIds(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => withNumericIds(v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withNumericIds(v, k)]));
  }
  if (ID_KEYS.has(key) && typeof value === 'string' && /^\d+$/.test(value)) return new LosslessNumber(value);
  return value;
}

export interface TikTokBodyOptions {
  /** 1 is lead; 2, 3, 8, 10, 11, 14 are other subscriptions sharing the callback. */
  object?: number;
  /** Write ids as bare JSON numbers (default true). */
  numericIds?: boolean;
  time?: number;
}

/** The exact bytes TikTok would post for these leads. */
export function tiktokWebhookBody(
  leads: readonly SandboxTikTokLead[],
  options: TikTokBodyOptions = {},
): string {
  const payload = {
    request_id: `${Date.now()}${Math.floor(Math.random() * 1e6)}`,
    object: options.object ?? 1,
    time: options.time ?? Math.floor(Date.now() / 1000),
    entry: leads,
  };
  return stringify(options.numericIds === false ? payload : withNumericIds(payload)) ?? '';
}

/** X-Open-Signature as one implementer describes it: hex HMAC-SHA256 of the payload with the app secret. */
export const signTikTokBody = (body: string | Buffer, appSecret: string) => hmacSha256Hex(appSecret, body);

export interface SendTikTokOptions extends TikTokBodyOptions {
  /** Sign with this app secret (X-Open-Signature); unsigned otherwise. */
  appSecret?: string;
  /** Send this X-Open-Signature instead. */
  signature?: string;
}

/** Posts a delivery to the hub's token URL, like TikTok does; resolves to the hub's answer. */
export async function sendTikTokWebhook(
  hubUrl: string,
  token: string,
  leads: readonly SandboxTikTokLead[],
  options: SendTikTokOptions = {},
): Promise<{ status: number; body: string }> {
  const body = tiktokWebhookBody(leads, options);
  const signature =
    options.signature ?? (options.appSecret ? signTikTokBody(body, options.appSecret) : undefined);
  const res = await fetch(`${hubUrl.replace(/\/+$/, '')}/webhooks/tiktok/${encodeURIComponent(token)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'x-open-signature': signature } : {}) },
    body,
  });
  return { status: res.status, body: await res.text() };
}
