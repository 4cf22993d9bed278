import type { ConnectionFailureReason } from '../../../events/contracts.js';
import { createOutboundClient, type FailedVerdict, type RetryPolicy } from '../../http/outbound.js';
import { hmacSha256Hex } from '../../http/raw-body.js';
import type { Secrets } from '../../ports.js';
import * as z from '../../zod.js';
import { type ConnectionFailure, PermanentSourceError } from '../errors.js';
import { parseLosslessJson } from './parse.js';

/** Always explicit: without `fields` the Graph API returns only a few of them. */
export const LEAD_FIELDS = [
  'id',
  'created_time',
  'ad_id',
  'ad_name',
  'adset_id',
  'adset_name',
  'campaign_id',
  'campaign_name',
  'form_id',
  'is_organic',
  'platform',
  'partner_name',
  'retailer_item_id',
  'field_data',
  'custom_disclaimer_responses',
  'post_submission_check_result',
] as const;

export const FORM_FIELDS = [
  'id',
  'name',
  'locale',
  'status',
  'privacy_policy_url',
  'legal_content',
  'questions',
] as const;

const text = z.string();

/** The lead object (GET /{leadgen_id}); numbers were parsed losslessly, so ids are strings. */
export const MetaLeadSchema = z.object({
  id: text,
  created_time: z.optional(text),
  ad_id: z.optional(text),
  ad_name: z.optional(text),
  adset_id: z.optional(text),
  adset_name: z.optional(text),
  campaign_id: z.optional(text),
  campaign_name: z.optional(text),
  form_id: z.optional(text),
  is_organic: z.optional(z.boolean()),
  platform: z.optional(text),
  partner_name: z.optional(text),
  field_data: z._default(
    z.array(z.object({ name: text, values: z._default(z.array(z.union([text, z.boolean()])), []) })),
    [],
  ),
  custom_disclaimer_responses: z._default(
    z.array(z.object({ checkbox_key: text, is_checked: z.optional(z.union([text, z.boolean()])) })),
    [],
  ),
});
export type MetaLead = z.infer<typeof MetaLeadSchema>;

/** The form object (GET /{form_id}): questions and the consent notice (legal_content). */
export const MetaFormSchema = z.object({
  id: text,
  name: z.optional(text),
  locale: z.optional(text),
  status: z.optional(text),
  privacy_policy_url: z.optional(text),
  legal_content: z.optional(
    z.object({
      id: z.optional(text),
      privacy_policy: z.optional(z.object({ url: z.optional(text), link_text: z.optional(text) })),
      custom_disclaimer: z.optional(
        z.object({
          title: z.optional(text),
          body: z.optional(z.object({ text: z.optional(text) })),
          checkboxes: z._default(
            z.array(
              z.object({
                id: z.optional(text),
                key: text,
                text: z.optional(text),
                is_required: z.optional(z.boolean()),
                is_checked_by_default: z.optional(z.boolean()),
              }),
            ),
            [],
          ),
        }),
      ),
    }),
  ),
  questions: z._default(
    z.array(
      z.object({
        id: z.optional(text),
        key: text,
        label: z.optional(text),
        type: z.optional(text),
        options: z._default(z.array(z.object({ key: text, value: z.optional(text) })), []),
      }),
    ),
    [],
  ),
});
export type MetaForm = z.infer<typeof MetaFormSchema>;

/** A Graph failure worth retrying later (throttling, 5xx, timeouts): thrown so the queue retries. */
export class MetaTransientError extends Error {
  override name = 'MetaTransientError';
}

export interface MetaCredentials {
  pageId: string;
  token: string;
  appSecret: string;
}

export interface MetaGraphClientOptions {
  /** e.g. https://graph.facebook.com (META_GRAPH_URL). */
  baseUrl: string;
  /** e.g. v25.0 (META_GRAPH_VERSION). */
  version: string;
  /** The outbound client's default policy unless set: 3 attempts of 4 s within 10 s. */
  retry?: Partial<RetryPolicy>;
  fetch?: typeof globalThis.fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  formCacheTtlMs?: number;
  formCacheMaxEntries?: number;
}

/** One page of a Graph list edge; `after` is the cursor of the next page, absent on the last one. */
export interface GraphListPage<T> {
  items: T[];
  after?: string;
}

/** A lead as the reconciliation list reads it: ids only, capture fetches the rest. */
export const MetaLeadStubSchema = z.object({
  id: text,
  created_time: z.optional(text),
  ad_id: z.optional(text),
  form_id: z.optional(text),
});
export type MetaLeadStub = z.infer<typeof MetaLeadStubSchema>;

export const MetaFormStubSchema = z.object({
  id: text,
  name: z.optional(text),
  status: z.optional(text),
});
export type MetaFormStub = z.infer<typeof MetaFormStubSchema>;

const listSchema = <T>(item: z.ZodMiniType<T>) =>
  z.object({
    data: z._default(z.array(item), []),
    paging: z.optional(
      z.object({
        cursors: z.optional(z.object({ after: z.optional(text) })),
        next: z.optional(text),
      }),
    ),
  });

export interface ListLeadsQuery {
  /** Only leads created strictly after this (unix seconds). */
  createdAfterUnix: number;
  after?: string;
  limit?: number;
}

export interface MetaGraphClient {
  getLead(leadgenId: string, credentials: MetaCredentials): Promise<MetaLead>;
  /** Cached per form id: questions and legal content are read once per form, not once per lead. */
  getForm(formId: string, credentials: MetaCredentials): Promise<MetaForm>;
  /** One page of GET /{page_id}/leadgen_forms. */
  listForms(
    credentials: MetaCredentials,
    page?: { after?: string; limit?: number },
  ): Promise<GraphListPage<MetaFormStub>>;
  /** One page of GET /{form_id}/leads filtered on time_created. */
  listLeads(
    formId: string,
    credentials: MetaCredentials,
    query: ListLeadsQuery,
  ): Promise<GraphListPage<MetaLeadStub>>;
}

export const LEAD_STUB_FIELDS = ['id', 'created_time', 'ad_id', 'form_id'] as const;
export const FORM_STUB_FIELDS = ['id', 'name', 'status'] as const;

/** The query of one page of a form's leads created after a time (platforms.md §1.5, bulk read). */
export function leadListParams(query: ListLeadsQuery): Record<string, string> {
  return {
    fields: LEAD_STUB_FIELDS.join(','),
    filtering: JSON.stringify([
      { field: 'time_created', operator: 'GREATER_THAN', value: Math.floor(query.createdAfterUnix) },
    ]),
    ...(query.limit !== undefined ? { limit: String(query.limit) } : {}),
    ...(query.after !== undefined ? { after: query.after } : {}),
  };
}

/** Reads a list response; the cursor counts only when Graph says there is a next page. */
export function parseListPage<T>(body: unknown, item: z.ZodMiniType<T>): GraphListPage<T> | undefined {
  const parsed = listSchema(item).safeParse(body);
  if (!parsed.success) return undefined;
  const { data, paging } = parsed.data;
  const after = paging?.next ? paging.cursors?.after : undefined;
  return { items: data as T[], ...(after ? { after } : {}) };
}

/** Graph error codes that mean "slow down or try again" (rate limits, temporary outages). */
const TRANSIENT_CODES = new Set([1, 2, 4, 17, 32, 341, 368, 613]);
const isBusinessThrottle = (code: number) => code >= 80000 && code <= 80014;

interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  subcode?: number;
  transient?: boolean;
  traceId?: string;
}

export type GraphFailure =
  | { kind: 'transient'; detail: string }
  | { kind: 'permanent'; reason: ConnectionFailureReason; detail: string };

/** Reads Meta's `{"error": {...}}` body; anything else yields no fields. */
function graphError(body: unknown): GraphErrorBody {
  const error = (body as { error?: Record<string, unknown> } | undefined)?.error;
  if (!error || typeof error !== 'object') return {};
  const num = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  return {
    message: str(error.message),
    type: str(error.type),
    code: num(error.code),
    subcode: num(error.error_subcode),
    transient: error.is_transient === true,
    traceId: str(error.fbtrace_id),
  };
}

/**
 * Sorts a failed Graph response: permanent when retrying cannot help (token, permission, unknown object,
 * a rejected request), transient otherwise. Codes win over HTTP statuses, since Graph uses both loosely.
 */
export function classifyGraphFailure(status: number, error: GraphErrorBody): GraphFailure {
  const { code, subcode } = error;
  const detail = `HTTP ${status}${code !== undefined ? ` code ${code}` : ''}${subcode !== undefined ? `/${subcode}` : ''}`;
  if (code === 190 || code === 102) {
    // 463: expired; 460: password changed; 467: invalid (logged out). All need a new token.
    return { kind: 'permanent', reason: subcode === 463 ? 'token_expired' : 'token_invalid', detail };
  }
  if (code === 10 || (code !== undefined && code >= 200 && code <= 299)) {
    return { kind: 'permanent', reason: 'permission_missing', detail };
  }
  if (code === 100 && subcode === 33) return { kind: 'permanent', reason: 'lead_not_found', detail };
  if (code !== undefined && (TRANSIENT_CODES.has(code) || isBusinessThrottle(code))) {
    return { kind: 'transient', detail };
  }
  if (error.transient || status === 429 || status >= 500) return { kind: 'transient', detail };
  if (status === 401) return { kind: 'permanent', reason: 'token_invalid', detail };
  if (status === 403) return { kind: 'permanent', reason: 'permission_missing', detail };
  if (error.type === 'OAuthException' && code === undefined) {
    return { kind: 'permanent', reason: 'token_invalid', detail };
  }
  return { kind: 'permanent', reason: 'request_rejected', detail };
}

/**
 * Meta's own wait hint: Business Use Case throttling (page tokens) sends no Retry-After but
 * `X-Business-Use-Case-Usage: {"<id>": [{"estimated_time_to_regain_access": <minutes>, …}]}`. The longest
 * wait named, in ms; undefined when there is none (0 means not throttled) or the header is unreadable.
 */
export function regainAccessMs(headers: Headers): number | undefined {
  const usage = parseLosslessJson(headers.get('x-business-use-case-usage') ?? '');
  if (!usage || typeof usage !== 'object') return undefined;
  let minutes = 0;
  for (const entries of Object.values(usage)) {
    for (const entry of Array.isArray(entries) ? entries : []) {
      const value = Number(
        (entry as { estimated_time_to_regain_access?: unknown })?.estimated_time_to_regain_access,
      );
      if (Number.isFinite(value) && value > minutes) minutes = value;
    }
  }
  return minutes > 0 ? minutes * 60_000 : undefined;
}

const REPLAY = 'npm run replay -- --source meta --status failed';

/** The fix, in words, for each permanent reason. Ids only. */
export function connectionFix(reason: ConnectionFailureReason, pageId: string): string {
  switch (reason) {
    case 'token_expired':
    case 'token_invalid':
      return (
        `The access token for Meta page ${pageId} has expired or was invalidated (a password change, a removed ` +
        'role or permission, or a Leads Access Manager change). Generate a new long-lived page access token, ' +
        `store it in META_PAGE_TOKENS (or META_PAGE_ACCESS_TOKEN), then replay: ${REPLAY}`
      );
    case 'token_missing':
      return (
        `No access token is configured for Meta page ${pageId}. Add "${pageId}": "<page access token>" to ` +
        `META_PAGE_TOKENS (or set META_PAGE_ACCESS_TOKEN), then replay: ${REPLAY}`
      );
    case 'permission_missing':
      return (
        `The token for Meta page ${pageId} lacks a permission needed to read leads. Grant leads_retrieval, ` +
        'pages_show_list, pages_read_engagement, pages_manage_metadata and ads_management, make sure its user ' +
        `can advertise on the page, and give this app access in Leads Access Manager; then replay: ${REPLAY}`
      );
    case 'lead_not_found':
      return (
        `Meta says the lead does not exist or the token for page ${pageId} cannot see it. Check that the page ` +
        'has installed the app, that the token belongs to that page, and that Leads Access Manager grants this ' +
        `app access; then replay: ${REPLAY}. A lead deleted on Meta cannot be recovered.`
      );
    case 'app_secret_missing':
      return `META_APP_SECRET is not configured: set it to the Meta app's App Secret, then replay: ${REPLAY}`;
    case 'request_rejected':
      return (
        `The Graph API rejected the request for a lead of page ${pageId}. Check META_GRAPH_VERSION is a ` +
        `supported version and META_GRAPH_URL is right, then replay: ${REPLAY}`
      );
  }
}

export function metaConnectionError(
  reason: ConnectionFailureReason,
  pageId: string,
  extra: Omit<ConnectionFailure, 'reason' | 'fix' | 'pageId'> = {},
  detail?: string,
): PermanentSourceError {
  return new PermanentSourceError(`meta ${reason} for page ${pageId}${detail ? ` (${detail})` : ''}`, {
    reason,
    fix: connectionFix(reason, pageId),
    pageId,
    ...extra,
  });
}

/**
 * Page access token for a page: META_PAGE_TOKENS (JSON page id → token) first, then the one
 * META_PAGE_ACCESS_TOKEN. A missing token is permanent until someone configures it.
 */
export async function pageAccessToken(secrets: Secrets, pageId: string): Promise<string> {
  const map = await secrets.get('META_PAGE_TOKENS');
  if (map) {
    const parsed = parseLosslessJson(map);
    if (parsed === undefined || parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw metaConnectionError('token_missing', pageId, {}, 'META_PAGE_TOKENS is not a JSON object');
    }
    const token = (parsed as Record<string, unknown>)[pageId];
    if (typeof token === 'string' && token !== '') return token;
  }
  const single = await secrets.get('META_PAGE_ACCESS_TOKEN');
  if (single) return single;
  throw metaConnectionError('token_missing', pageId);
}

/**
 * A small Graph API client for the reads capture and reconciliation need, over the outbound client
 * (lib/http/outbound.ts). Sends the page token as a Bearer header with appsecret_proof. Graph's codes decide
 * what is transient (they win over statuses); transient failures are retried within the outbound policy
 * (honouring Retry-After or Meta's estimated_time_to_regain_access), then MetaTransientError makes the
 * queue retry; permanent ones become PermanentSourceError with the connection details.
 */
export function createMetaGraphClient(options: MetaGraphClientOptions): MetaGraphClient {
  const now = options.now ?? Date.now;
  const http = createOutboundClient({ ...options, now });
  const formTtlMs = options.formCacheTtlMs ?? 60 * 60 * 1000;
  const formMax = options.formCacheMaxEntries ?? 500;
  const base = options.baseUrl.replace(/\/+$/, '');
  const forms = new Map<string, { form: MetaForm; expiresAt: number }>();

  /** What the Graph classifier passes on: the error body's fields, and the reason when permanent. */
  type GraphInfo = { error: GraphErrorBody; reason?: ConnectionFailureReason } | { unreadable: true };

  function classifyError(res: { status: number; headers: Headers; body: string }): FailedVerdict<GraphInfo> {
    const error = graphError(parseLosslessJson(res.body));
    const failure = classifyGraphFailure(res.status, error);
    if (failure.kind === 'permanent') {
      return { ok: false, transient: false, detail: failure.detail, info: { error, reason: failure.reason } };
    }
    const hint = regainAccessMs(res.headers);
    return {
      ok: false,
      transient: true,
      detail: failure.detail,
      info: { error },
      ...(hint !== undefined ? { retryAfterMs: hint } : {}),
    };
  }

  async function get<T>(
    path: string,
    params: Record<string, string>,
    read: (body: unknown) => T | undefined,
    credentials: MetaCredentials,
    what: 'lead' | 'form' | 'forms' | 'leads',
    id: string,
  ): Promise<T> {
    const url = new URL(`${base}/${options.version}/${path}`);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    url.searchParams.set('appsecret_proof', hmacSha256Hex(credentials.appSecret, credentials.token));
    const result = await http.request<T, GraphInfo>(
      url,
      { headers: { authorization: `Bearer ${credentials.token}`, accept: 'application/json' } },
      {
        ...(options.retry ? { policy: options.retry } : {}),
        read: (res) => {
          const parsed = read(parseLosslessJson(res.body));
          // A 200 we cannot read is no connection problem, and retrying will not change it.
          return parsed !== undefined
            ? { ok: true, value: parsed }
            : { ok: false, transient: false, info: { unreadable: true } };
        },
        classifyError,
      },
    );
    if (result.ok) return result.value;
    const { failure } = result;
    if (failure.kind === 'transient') {
      throw new MetaTransientError(
        `meta ${what} ${id}: ${failure.detail} after ${result.attempts} attempt(s); the queue will retry`,
      );
    }
    const info = failure.info;
    if (!info || 'unreadable' in info || !info.reason) {
      throw new PermanentSourceError(`meta ${what} ${id}: unexpected Graph response shape`);
    }
    const { error } = info;
    throw metaConnectionError(
      info.reason,
      credentials.pageId,
      {
        ...(what === 'form' || what === 'leads' ? { formId: id } : {}),
        platformError: {
          status: failure.status,
          ...(error.code !== undefined ? { code: String(error.code) } : {}),
          ...(error.subcode !== undefined ? { subcode: String(error.subcode) } : {}),
          ...(error.type ? { type: error.type } : {}),
          ...(error.traceId ? { traceId: error.traceId } : {}),
        },
      },
      `${what} ${id}: ${failure.detail}`,
    );
  }

  const one =
    <T>(schema: z.ZodMiniType<T>) =>
    (body: unknown) => {
      const parsed = schema.safeParse(body);
      return parsed.success ? parsed.data : undefined;
    };
  const byId = <T>(
    id: string,
    fields: readonly string[],
    schema: z.ZodMiniType<T>,
    credentials: MetaCredentials,
    what: 'lead' | 'form',
  ) => get(encodeURIComponent(id), { fields: fields.join(',') }, one(schema), credentials, what, id);

  return {
    getLead: (leadgenId, credentials) => byId(leadgenId, LEAD_FIELDS, MetaLeadSchema, credentials, 'lead'),

    listForms: (credentials, page = {}) =>
      get(
        `${encodeURIComponent(credentials.pageId)}/leadgen_forms`,
        {
          fields: FORM_STUB_FIELDS.join(','),
          ...(page.limit !== undefined ? { limit: String(page.limit) } : {}),
          ...(page.after !== undefined ? { after: page.after } : {}),
        },
        (body) => parseListPage(body, MetaFormStubSchema),
        credentials,
        'forms',
        credentials.pageId,
      ),

    listLeads: (formId, credentials, query) =>
      get(
        `${encodeURIComponent(formId)}/leads`,
        leadListParams(query),
        (body) => parseListPage(body, MetaLeadStubSchema),
        credentials,
        'leads',
        formId,
      ),

    async getForm(formId, credentials) {
      const cached = forms.get(formId);
      if (cached && cached.expiresAt > now()) return cached.form;
      const form = await byId(formId, FORM_FIELDS, MetaFormSchema, credentials, 'form');
      forms.delete(formId);
      if (forms.size >= formMax) forms.delete(forms.keys().next().value as string);
      forms.set(formId, { form, expiresAt: now() + formTtlMs });
      return form;
    },
  };
}
