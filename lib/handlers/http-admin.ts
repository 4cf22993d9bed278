import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithIAMAuthorizer } from 'aws-lambda';
import type { HubDeps } from '../deps.js';
import { header, safeEqual } from '../http/raw-body.js';
import { errorResponse, type HttpResult, json } from '../http/responses.js';
import { contactDetails } from '../pipeline/contact-view.js';
import { rootOf } from '../pipeline/identity-resolution.js';
import { listQuarantine } from '../pipeline/quarantine.js';
import { speedToLeadSummary } from '../pipeline/speed-to-lead.js';
import { InvalidCursorError } from '../ports.js';

/** What a lead or contact id looks like. */
export const ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_LIMIT = 100;
/** The speed-to-lead window reads one month bucket per month: a quarter at most. */
const MAX_METRICS_DAYS = 92;

/** How the audit trail names a caller let in by the bearer token (never the token itself). */
export const ADMIN_TOKEN_CALLER = 'admin-token';

/**
 * Who the admin caller is, or undefined when not authorised. On AWS API Gateway's IAM authorizer has let
 * the caller in: its IAM ARN. Locally (no authorizer) the caller needs
 * `Authorization: Bearer $LEADHUB_ADMIN_TOKEN`, and is named `admin-token`.
 */
export async function adminCaller(
  deps: Pick<HubDeps, 'secrets'>,
  event: APIGatewayProxyEventV2,
): Promise<string | undefined> {
  const iam = (event as APIGatewayProxyEventV2WithIAMAuthorizer).requestContext.authorizer?.iam;
  const principal = iam?.userArn || iam?.callerId;
  if (principal) return principal;
  const expected = await deps.secrets.get('LEADHUB_ADMIN_TOKEN');
  const given = header(event, 'authorization')?.match(/^Bearer\s+(.+)$/i)?.[1];
  return expected && given && safeEqual(given, expected) ? ADMIN_TOKEN_CALLER : undefined;
}

export async function adminAuthorised(
  deps: Pick<HubDeps, 'secrets'>,
  event: APIGatewayProxyEventV2,
): Promise<boolean> {
  return (await adminCaller(deps, event)) !== undefined;
}

/** `limit` of a listing: 1 to 100, default 20; a 400 answer when it is anything else. */
export function pageLimit(raw: string | undefined): number | HttpResult {
  const text = raw ?? '20';
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > MAX_LIMIT) {
    return errorResponse(400, 'invalid_limit', `limit must be an integer from 1 to ${MAX_LIMIT}`);
  }
  return limit;
}

export function unauthorised(): HttpResult {
  return errorResponse(
    401,
    'unauthorized',
    'A valid admin bearer token is required',
    {},
    { 'www-authenticate': 'Bearer' },
  );
}

/**
 * Admin read API and /health. Erased people cannot be read back: their leads and contacts answer 410.
 * A contact id merged into another resolves to the surviving contact.
 */
export function createAdminHttpHandler(deps: HubDeps) {
  const { store } = deps;

  return async function adminHttpHandler(event: APIGatewayProxyEventV2): Promise<HttpResult> {
    const route = event.routeKey;
    if (route === 'GET /health') return json(200, { status: 'ok' });
    if (!(await adminAuthorised(deps, event))) return unauthorised();

    if (route === 'GET /api/leads' || route === 'GET /api/quarantine') {
      const query = event.queryStringParameters ?? {};
      const limit = pageLimit(query.limit);
      if (typeof limit !== 'number') return limit;
      try {
        if (route === 'GET /api/leads') return json(200, await store.listLeads(limit, query.cursor));
        if (query.payload !== undefined && query.payload !== 'true' && query.payload !== 'false') {
          return errorResponse(400, 'invalid_payload', 'payload must be true or false');
        }
        // Raw deliveries hold personal data: only on request.
        const page = await listQuarantine(deps.receipts, {
          limit,
          ...(query.cursor ? { cursor: query.cursor } : {}),
          includePayload: query.payload === 'true',
        });
        return json(200, page);
      } catch (error) {
        if (error instanceof InvalidCursorError) return errorResponse(400, 'invalid_cursor', error.message);
        throw error;
      }
    }

    if (route === 'GET /api/leads/{leadId}') {
      const leadId = event.pathParameters?.leadId ?? '';
      if (!ID.test(leadId)) return errorResponse(400, 'invalid_id', 'leadId is malformed');
      const lead = await store.getLead(leadId);
      if (!lead) return errorResponse(404, 'not_found', `No lead ${leadId}`);
      if (lead.deletedReason === 'erased') {
        return errorResponse(410, 'erased', `Lead ${leadId} was erased`, { erasedAt: lead.deletedAt });
      }
      return json(200, lead);
    }

    if (route === 'GET /api/contacts/{contactId}') {
      const contactId = event.pathParameters?.contactId ?? '';
      if (!ID.test(contactId)) return errorResponse(400, 'invalid_id', 'contactId is malformed');
      const root = await rootOf(store, contactId);
      if (root.erasedAt) {
        return errorResponse(410, 'erased', `Contact ${contactId} was erased`, { erasedAt: root.erasedAt });
      }
      const contact = await store.getContact(root.contactId);
      if (!contact) return errorResponse(404, 'not_found', `No contact ${contactId}`);
      return json(200, {
        ...contactDetails(contact),
        ...(root.contactId !== contactId ? { requestedContactId: contactId } : {}),
      });
    }

    if (route === 'GET /api/metrics/speed-to-lead') {
      const rawDays = event.queryStringParameters?.days ?? '7';
      const days = Number(rawDays);
      if (!/^\d+$/.test(rawDays) || days < 1 || days > MAX_METRICS_DAYS) {
        return errorResponse(400, 'invalid_days', `days must be an integer from 1 to ${MAX_METRICS_DAYS}`);
      }
      return json(200, await speedToLeadSummary(store, deps.clock.now(), days));
    }

    return errorResponse(404, 'not_found', `No route ${route}`);
  };
}
