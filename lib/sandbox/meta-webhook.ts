import { LosslessNumber, stringify } from 'lossless-json';
import { hmacSha256Hex } from '../http/raw-body.js';
import type { SandboxLead } from './meta-graph.js';

/** One `entry` of a Meta webhook delivery (object=page). */
export interface MetaWebhookEntry {
  /** The page id. */
  id: string;
  /** Unix seconds when Meta sent it. */
  time: number;
  changes: { field: string; value: Record<string, unknown> }[];
}

export interface WebhookBodyOptions {
  /**
   * Write ids as bare JSON numbers, as Meta's documented sample does (default true): 18-digit ids then
   * only survive a lossless parser.
   */
  numericIds?: boolean;
  object?: string;
}

const ID_KEYS = new Set(['id', 'leadgen_id', 'page_id', 'form_id', 'ad_id', 'adgroup_id']);

/** A `leadgen` change for a lead, as Meta announces it (ids, unix created_time; never the answers). */
export function leadgenChange(lead: Pick<SandboxLead, 'id' | 'pageId' | 'formId' | 'adId' | 'createdTime'>) {
  return {
    field: 'leadgen',
    value: {
      leadgen_id: lead.id,
      page_id: lead.pageId,
      form_id: lead.formId,
      ...(lead.adId ? { adgroup_id: lead.adId, ad_id: lead.adId } : {}),
      created_time: Math.floor(Date.parse(lead.createdTime) / 1000),
    },
  };
}

/** Entries for leads, one per page, each with that page's changes (how Meta batches them). */
export function leadgenEntries(
  leads: readonly SandboxLead[],
  time = Math.floor(Date.now() / 1000),
): MetaWebhookEntry[] {
  const byPage = new Map<string, MetaWebhookEntry>();
  for (const lead of leads) {
    let entry = byPage.get(lead.pageId);
    if (!entry) {
      entry = { id: lead.pageId, time, changes: [] };
      byPage.set(lead.pageId, entry);
    }
    entry.changes.push(leadgenChange(lead));
  }
  return [...byPage.values()];
}

function withNumericIds(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => withNumericIds(v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withNumericIds(v, k)]));
  }
  if (ID_KEYS.has(key) && typeof value === 'string' && /^\d+$/.test(value)) return new LosslessNumber(value);
  return value;
}

/** Meta signs an escaped-unicode form of the payload (`ä` as `\u00e4`); the body is sent that way too. */
const escapeUnicode = (text: string) =>
  text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The exact bytes Meta would post for these entries. */
export function metaWebhookBody(
  entries: readonly MetaWebhookEntry[],
  options: WebhookBodyOptions = {},
): string {
  const payload = { object: options.object ?? 'page', entry: entries };
  const text = stringify(options.numericIds === false ? payload : withNumericIds(payload)) ?? '';
  return escapeUnicode(text);
}

/** `sha256=` + hex HMAC-SHA256 of the body with the app secret: the X-Hub-Signature-256 header. */
export function signMetaBody(body: string | Buffer, appSecret: string): string {
  return `sha256=${hmacSha256Hex(appSecret, body)}`;
}

export interface SendWebhookOptions extends WebhookBodyOptions {
  /** Default /webhooks/meta. */
  path?: string;
  /** Replace the computed signature header (null: send none). */
  signature?: string | null;
}

/** Posts a correctly signed delivery to a hub, like Meta does; resolves to the hub's answer. */
export async function sendWebhook(
  hubUrl: string,
  entries: readonly MetaWebhookEntry[],
  appSecret: string,
  options: SendWebhookOptions = {},
): Promise<{ status: number; body: string }> {
  const body = metaWebhookBody(entries, options);
  const signature = options.signature === undefined ? signMetaBody(body, appSecret) : options.signature;
  const res = await fetch(`${hubUrl.replace(/\/+$/, '')}${options.path ?? '/webhooks/meta'}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'facebookexternalua',
      ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
    },
    body,
  });
  return { status: res.status, body: await res.text() };
}
