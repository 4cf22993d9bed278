import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hmacSha256Hex, safeEqual } from '../http/raw-body.js';

/**
 * A local stand-in for the Graph API reads LeadHub makes (lead by id, form by id, and the reconciliation
 * lists: a page's leadgen_forms and a form's leads filtered on time_created), faithful to the
 * documented contract: Bearer or access_token auth, appsecret_proof required, `fields`
 * honoured, and Meta's error bodies (`{"error": {message, type, code, error_subcode, fbtrace_id}}`) on
 * demand. For the demo and the e2e tests; never for production.
 */

export interface SandboxLead {
  id: string;
  pageId: string;
  formId: string;
  /** ISO time; served in Graph's `2026-11-20T08:49:14+0000` form. */
  createdTime: string;
  adId?: string;
  adName?: string;
  adsetId?: string;
  adsetName?: string;
  campaignId?: string;
  campaignName?: string;
  isOrganic?: boolean;
  /** fb or ig. */
  platform?: string;
  fieldData: { name: string; values: string[] }[];
  customDisclaimerResponses?: { checkbox_key: string; is_checked: string }[];
}

export interface SandboxCheckbox {
  id?: string;
  key: string;
  text: string;
  is_required?: boolean;
  is_checked_by_default?: boolean;
}

export interface SandboxForm {
  id: string;
  /** The page the form belongs to; else the page of any lead made with it. */
  pageId?: string;
  name: string;
  locale?: string;
  status?: string;
  privacyPolicyUrl?: string;
  legalContent?: {
    id: string;
    privacy_policy?: { url: string; link_text?: string };
    custom_disclaimer?: { title?: string; body?: { text: string }; checkboxes: SandboxCheckbox[] };
  };
  questions: {
    id?: string;
    key: string;
    label: string;
    type: string;
    options?: { key: string; value: string }[];
  }[];
}

/** The failures the sandbox can play, each with Meta's own status and error body. */
export type SandboxFailure =
  | { kind: 'token_expired' }
  | { kind: 'token_invalid' }
  | { kind: 'throttle'; code?: 4 | 17 | 32 | 613 | 80000; status?: 400 | 429; retryAfterSeconds?: number }
  | { kind: 'permission' }
  | { kind: 'not_found' }
  | { kind: 'server_error'; status?: 500 | 503 }
  | { kind: 'hang' };

export interface SandboxRequest {
  method: string;
  path: string;
  id: string;
  fields: string[];
  status: number;
  /** Which object kind (or list edge) was asked for, when the id is known. */
  object?: 'lead' | 'form' | 'leadgen_forms' | 'leads';
  /** Query of a list edge: filtering (raw JSON), limit and after. */
  query?: { filtering?: string; limit?: string; after?: string };
}

export interface MetaSandboxOptions {
  appSecret: string;
  /** Page id → the page access token that may read its leads and forms. */
  pages?: Record<string, string>;
  forms?: SandboxForm[];
  leads?: SandboxLead[];
  port?: number;
  host?: string;
}

export interface MetaSandbox {
  url: string;
  appSecret: string;
  /** Every Graph request served, in order. */
  requests: SandboxRequest[];
  addPage(pageId: string, token: string): void;
  addForm(form: SandboxForm): void;
  addLead(lead: SandboxLead): void;
  /** Fails requests for this object id ('*': any object) the next `times` times (default: until cleared). */
  fail(id: string, failure: SandboxFailure, times?: number): void;
  clearFailures(): void;
  close(): Promise<void>;
}

const DEFAULT_LEAD_FIELDS = ['created_time', 'id', 'ad_id', 'form_id', 'field_data'];
const DEFAULT_FORM_FIELDS = ['id', 'name', 'status'];
const LIST_EDGES = new Set(['leadgen_forms', 'leads']);
const DEFAULT_LIST_LIMIT = 25;
const MAX_LIST_LIMIT = 500;

const cursorOf = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url');
const offsetOf = (cursor: string | null) => {
  if (!cursor) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
};

/**
 * Reads Graph's `filtering` parameter; only time_created GREATER_THAN is honoured (what reconciliation
 * sends). Returns the threshold in unix seconds, null without a filter, undefined when unreadable.
 */
function createdAfter(filtering: string | null): number | null | undefined {
  if (filtering === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(filtering);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  let threshold: number | null = null;
  for (const rule of parsed as { field?: unknown; operator?: unknown; value?: unknown }[]) {
    if (rule?.field !== 'time_created' || rule.operator !== 'GREATER_THAN') return undefined;
    const value = Number(rule.value);
    if (!Number.isFinite(value)) return undefined;
    threshold = Math.max(threshold ?? value, value);
  }
  return threshold;
}

function invalidParameter(message: string) {
  return graphError(400, { message: `(#100) ${message}`, type: 'OAuthException', code: 100 });
}

/** Graph's created_time form: `2026-11-20T08:49:14+0000`. */
export const graphTime = (iso: string) => new Date(iso).toISOString().replace(/\.\d{3}Z$/, '+0000');

function graphError(
  status: number,
  error: { message: string; type: string; code: number; error_subcode?: number; is_transient?: boolean },
  headers: Record<string, string> = {},
) {
  const trace = Math.random().toString(36).slice(2, 13);
  return { status, headers, body: { error: { ...error, fbtrace_id: trace } } };
}

function failureResponse(failure: SandboxFailure) {
  switch (failure.kind) {
    case 'token_expired':
      return graphError(400, {
        message: 'Error validating access token: Session has expired on Sunday, 29-Nov-26 10:00:00 PST.',
        type: 'OAuthException',
        code: 190,
        error_subcode: 463,
      });
    case 'token_invalid':
      return graphError(400, {
        message: 'Invalid OAuth access token - Cannot parse access token',
        type: 'OAuthException',
        code: 190,
      });
    case 'throttle': {
      const code = failure.code ?? 17;
      const messages: Record<number, string> = {
        4: 'Application request limit reached',
        17: 'User request limit reached',
        32: 'Page request limit reached',
        613: 'Calls to this api have exceeded the rate limit.',
        80000: 'There have been too many calls from this ad-account. Wait a bit and try again.',
      };
      return graphError(
        failure.status ?? 400,
        { message: messages[code] ?? 'Rate limited', type: 'OAuthException', code, is_transient: true },
        failure.retryAfterSeconds !== undefined ? { 'retry-after': String(failure.retryAfterSeconds) } : {},
      );
    }
    case 'permission':
      return graphError(400, {
        message: '(#200) Requires leads_retrieval permission to manage the object',
        type: 'OAuthException',
        code: 200,
      });
    case 'not_found':
      return notFound('requested object');
    case 'server_error':
      return graphError(failure.status ?? 500, {
        message: 'An unexpected error has occurred. Please retry your request later.',
        type: 'OAuthException',
        code: 2,
        is_transient: true,
      });
    case 'hang':
      return undefined;
  }
}

function notFound(id: string) {
  return graphError(400, {
    message:
      `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing ` +
      'permissions, or does not support this operation.',
    type: 'GraphMethodException',
    code: 100,
    error_subcode: 33,
  });
}

function leadObject(lead: SandboxLead): Record<string, unknown> {
  return {
    id: lead.id,
    created_time: graphTime(lead.createdTime),
    ...(lead.adId ? { ad_id: lead.adId } : {}),
    ...(lead.adName ? { ad_name: lead.adName } : {}),
    ...(lead.adsetId ? { adset_id: lead.adsetId } : {}),
    ...(lead.adsetName ? { adset_name: lead.adsetName } : {}),
    ...(lead.campaignId ? { campaign_id: lead.campaignId } : {}),
    ...(lead.campaignName ? { campaign_name: lead.campaignName } : {}),
    form_id: lead.formId,
    is_organic: lead.isOrganic ?? false,
    ...(lead.platform ? { platform: lead.platform } : {}),
    field_data: lead.fieldData,
    custom_disclaimer_responses: lead.customDisclaimerResponses ?? [],
  };
}

function formObject(form: SandboxForm): Record<string, unknown> {
  return {
    id: form.id,
    name: form.name,
    locale: form.locale ?? 'en_US',
    status: form.status ?? 'ACTIVE',
    ...(form.privacyPolicyUrl ? { privacy_policy_url: form.privacyPolicyUrl } : {}),
    ...(form.legalContent ? { legal_content: form.legalContent } : {}),
    questions: form.questions,
  };
}

/** Starts the sandbox on 127.0.0.1 (a free port unless one is given). */
export async function startMetaSandbox(options: MetaSandboxOptions): Promise<MetaSandbox> {
  const pages = new Map(Object.entries(options.pages ?? {}));
  const forms = new Map((options.forms ?? []).map((f) => [f.id, f]));
  const leads = new Map((options.leads ?? []).map((l) => [l.id, l]));
  const failures = new Map<string, { failure: SandboxFailure; remaining: number }>();
  const requests: SandboxRequest[] = [];
  const hanging = new Set<ServerResponse>();
  let baseUrl = '';

  const pageOf = (id: string) => leads.get(id)?.pageId ?? forms.get(id)?.pageId ?? formPages.get(id);
  // A form belongs to the page of any lead made with it (forms are page objects on Meta).
  const formPages = new Map<string, string>();
  const indexLead = (lead: SandboxLead) => {
    leads.set(lead.id, lead);
    formPages.set(lead.formId, lead.pageId);
  };
  for (const lead of leads.values()) indexLead(lead);

  const takeFailure = (id: string) => {
    for (const key of [id, '*']) {
      const entry = failures.get(key);
      if (!entry) continue;
      entry.remaining--;
      if (entry.remaining <= 0) failures.delete(key);
      return entry.failure;
    }
    return undefined;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const send = (
      status: number,
      body: unknown,
      headers: Record<string, string> = {},
      record?: SandboxRequest,
    ) => {
      if (record) requests.push({ ...record, status });
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
      res.end(JSON.stringify(body));
    };
    const parts = url.pathname.split('/').filter(Boolean);
    const [version, id, edge] = parts;
    const fields = (url.searchParams.get('fields') ?? '').split(',').filter(Boolean);
    const record: SandboxRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      id: id ?? '',
      fields,
      status: 0,
    };
    if (edge !== undefined) {
      const q = url.searchParams;
      record.query = {
        ...(q.has('filtering') ? { filtering: q.get('filtering') as string } : {}),
        ...(q.has('limit') ? { limit: q.get('limit') as string } : {}),
        ...(q.has('after') ? { after: q.get('after') as string } : {}),
      };
    }
    const validEdge =
      parts.length === 2 || (parts.length === 3 && edge !== undefined && LIST_EDGES.has(edge));
    if (req.method !== 'GET' || !validEdge || !version || !/^v\d+\.\d+$/.test(version) || !id) {
      const e = graphError(400, { message: 'Unknown path components', type: 'OAuthException', code: 2500 });
      return send(e.status, e.body, {}, record);
    }

    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? url.searchParams.get('access_token') ?? undefined;
    if (!token) {
      const e = graphError(400, {
        message: 'An access token is required to request this resource.',
        type: 'OAuthException',
        code: 104,
      });
      return send(e.status, e.body, {}, record);
    }
    const proof = url.searchParams.get('appsecret_proof');
    if (!proof) {
      const e = graphError(400, {
        message: 'API calls from the server require an appsecret_proof argument',
        type: 'GraphMethodException',
        code: 100,
      });
      return send(e.status, e.body, {}, record);
    }
    if (!safeEqual(proof, hmacSha256Hex(options.appSecret, token))) {
      const e = graphError(400, {
        message: 'Invalid appsecret_proof provided in the API argument',
        type: 'GraphMethodException',
        code: 100,
      });
      return send(e.status, e.body, {}, record);
    }

    const failure = takeFailure(id);
    if (failure) {
      const response = failureResponse(failure);
      if (!response) {
        // The client's timeout is what ends this one.
        requests.push({ ...record, status: 0 });
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      return send(response.status, response.body, response.headers, record);
    }

    if (![...pages.values()].includes(token)) {
      const e = failureResponse({ kind: 'token_invalid' });
      return send(e?.status ?? 400, e?.body, {}, record);
    }
    const owner = edge === 'leadgen_forms' ? (pages.has(id) ? id : undefined) : pageOf(id);
    // A token of another page cannot see the object: Meta answers as if it did not exist.
    if (!owner || pages.get(owner) !== token) {
      const e = notFound(id);
      return send(e.status, e.body, {}, record);
    }
    if (edge === 'leadgen_forms' || edge === 'leads') {
      const list = listEdge(edge, version, id, fields, url.searchParams);
      if ('error' in list) return send(list.error.status, list.error.body, {}, record);
      return send(200, list.body, {}, { ...record, object: edge });
    }
    const lead = leads.get(id);
    const form = forms.get(id);
    const object = lead ? leadObject(lead) : form ? formObject(form) : undefined;
    if (!object) {
      const e = notFound(id);
      return send(e.status, e.body, {}, record);
    }
    const wanted = fields.length > 0 ? fields : lead ? DEFAULT_LEAD_FIELDS : DEFAULT_FORM_FIELDS;
    const body: Record<string, unknown> = { id };
    for (const field of wanted) if (field in object) body[field] = object[field];
    send(200, body, {}, { ...record, object: lead ? 'lead' : 'form' });
  });

  /** One page of a list edge, newest lead first (as Meta orders them), with cursor paging. */
  function listEdge(
    edge: 'leadgen_forms' | 'leads',
    version: string,
    id: string,
    fields: string[],
    query: URLSearchParams,
  ): { body: unknown } | { error: ReturnType<typeof graphError> } {
    const limit = query.has('limit') ? Number(query.get('limit')) : DEFAULT_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      return { error: invalidParameter('Param limit must be a positive number no greater than 500') };
    }
    const offset = offsetOf(query.get('after'));
    if (offset === undefined) return { error: invalidParameter('Invalid cursor') };

    let objects: Record<string, unknown>[];
    let wanted: string[];
    if (edge === 'leadgen_forms') {
      objects = [...forms.values()]
        .filter((f) => (f.pageId ?? formPages.get(f.id)) === id)
        .sort((a, b) => a.id.localeCompare(b.id))
        .map(formObject);
      wanted = fields.length > 0 ? fields : DEFAULT_FORM_FIELDS;
    } else {
      const after = createdAfter(query.get('filtering'));
      if (after === undefined) return { error: invalidParameter('Invalid filtering parameter') };
      objects = [...leads.values()]
        .filter((l) => l.formId === id && (after === null || Date.parse(l.createdTime) / 1000 > after))
        .sort((a, b) => Date.parse(b.createdTime) - Date.parse(a.createdTime))
        .map(leadObject);
      wanted = fields.length > 0 ? fields : DEFAULT_LEAD_FIELDS;
    }
    const slice = objects.slice(offset, offset + limit).map((object) => {
      const out: Record<string, unknown> = { id: object.id };
      for (const field of wanted) if (field in object) out[field] = object[field];
      return out;
    });
    const end = offset + slice.length;
    const paging =
      slice.length === 0
        ? undefined
        : {
            cursors: { before: cursorOf(offset), after: cursorOf(end) },
            ...(end < objects.length
              ? {
                  next: `${baseUrl}/${version}/${id}/${edge}?limit=${limit}&after=${cursorOf(end)}`,
                }
              : {}),
          };
    return { body: { data: slice, ...(paging ? { paging } : {}) } };
  }

  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    appSecret: options.appSecret,
    requests,
    addPage: (pageId, token) => void pages.set(pageId, token),
    addForm: (form) => void forms.set(form.id, form),
    addLead: (lead) => indexLead(lead),
    fail: (id, failure, times = Number.POSITIVE_INFINITY) =>
      void failures.set(id, { failure, remaining: times }),
    clearFailures: () => failures.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
