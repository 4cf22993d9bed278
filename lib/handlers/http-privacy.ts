import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HubDeps } from '../deps.js';
import { rawBody } from '../http/raw-body.js';
import { errorResponse, type HttpResult, json } from '../http/responses.js';
import {
  erasePerson,
  exportPerson,
  InvalidIdentifierError,
  isSuppressedPerson,
  type PersonQuery,
  withdrawConsent,
} from '../pipeline/privacy.js';
import { AuditUnavailableError, listAuditTrail, type PrivacyActor } from '../pipeline/privacy-audit.js';
import { InvalidCursorError } from '../ports.js';
import * as z from '../zod.js';
import { adminCaller, ID, pageLimit, unauthorised } from './http-admin.js';

const MAX_BODY_BYTES = 8 * 1024;
const identifier = z.optional(z.string().check(z.minLength(1), z.maxLength(320)));
const exactlyOneIdentifier = z.refine<{ email?: string; phone?: string }>(
  (p) => (p.email === undefined) !== (p.phone === undefined),
  { message: 'give exactly one of email or phone' },
);
const WithdrawSchema = z
  .strictObject({
    email: identifier,
    phone: identifier,
    /** A purpose as recorded (e.g. marketing_email), or `all` for every purpose currently granted. */
    purpose: z
      .string()
      .check(z.regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'letters, digits and . _ : - (at most 100)')),
    /** Makes a retried request write no second record. */
    requestId: z.optional(
      z.string().check(z.regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'letters, digits and . _ : - (at most 128)')),
    ),
  })
  .check(exactlyOneIdentifier);
/** The person, in the body of an export or erasure (never in a URL: URLs end up in logs and histories). */
const PersonSchema = z.strictObject({ email: identifier, phone: identifier }).check(exactlyOneIdentifier);

/** A time bound of the audit listing: an ISO date-time with its offset, or a date (its midnight UTC). */
const instant = z.optional(z.union([z.iso.datetime({ offset: true }), z.iso.date()]));
const AuditQuerySchema = z.strictObject({
  contactId: z.optional(z.string().check(z.regex(ID, 'contactId is malformed'))),
  /** Inclusive. */
  from: instant,
  /** Exclusive. */
  to: instant,
  limit: z.optional(z.string()),
  cursor: z.optional(z.string().check(z.maxLength(4096))),
});

function queryOf(p: { email?: string; phone?: string }): PersonQuery {
  return p.email !== undefined ? { email: p.email } : { phone: p.phone as string };
}

type Parsed<T> = { ok: true; value: T } | { ok: false; result: HttpResult };

function invalid(issues: z.core.$ZodIssue[]): HttpResult {
  return errorResponse(400, 'invalid_request', issues.map((i) => i.message).join('; '), {
    fields: issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })),
  });
}

function parseBody<T>(event: APIGatewayProxyEventV2, schema: z.ZodMiniType<T>): Parsed<T> {
  const body = rawBody(event);
  if (body.length > MAX_BODY_BYTES) {
    return {
      ok: false,
      result: errorResponse(413, 'body_too_large', `Body exceeds ${MAX_BODY_BYTES} bytes`),
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, result: errorResponse(400, 'malformed_body', 'The body must be a JSON object') };
  }
  const parsed = schema.safeParse(raw);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, result: invalid(parsed.error.issues) };
}

type AuditListQuery = Parameters<typeof listAuditTrail>[1];

function auditQuery(event: APIGatewayProxyEventV2): Parsed<AuditListQuery> {
  const parsed = AuditQuerySchema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) return { ok: false, result: invalid(parsed.error.issues) };
  const limit = pageLimit(parsed.data.limit);
  if (typeof limit !== 'number') return { ok: false, result: limit };
  const { contactId, cursor } = parsed.data;
  const [from, to] = [parsed.data.from, parsed.data.to].map((t) =>
    t === undefined ? undefined : new Date(t).toISOString(),
  );
  // An offset can move a time out of years 0000-9999, where ISO strings stop sorting as times do.
  if ([from, to].some((t) => t !== undefined && !/^\d{4}-/.test(t))) {
    return {
      ok: false,
      result: errorResponse(400, 'invalid_range', 'from and to must lie in years 0000-9999'),
    };
  }
  if (from !== undefined && to !== undefined && from >= to) {
    return { ok: false, result: errorResponse(400, 'invalid_range', 'from must be before to') };
  }
  return {
    ok: true,
    value: {
      limit,
      ...(contactId ? { contactId } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(cursor ? { cursor } : {}),
    },
  };
}

/**
 * The privacy API (GDPR data-subject rights), admin-authorised like the admin API: export, withdraw,
 * erase, and the audit trail of them. Its own function on AWS, because unlike the admin reads it writes
 * the table and publishes. Every action is on the audit trail before it is answered, named by the
 * caller (IAM ARN) and API Gateway's request id. Identifiers are never logged.
 */
export function createPrivacyHttpHandler(deps: HubDeps) {
  const notFound = async (query: PersonQuery) =>
    errorResponse(404, 'not_found', 'Nothing is held about this person', {
      suppressed: await isSuppressedPerson(deps, query),
    });

  async function handle(event: APIGatewayProxyEventV2, actor: PrivacyActor): Promise<HttpResult> {
    const route = event.routeKey;
    if (route === 'POST /api/privacy/export') {
      const parsed = parseBody(event, PersonSchema);
      if (!parsed.ok) return parsed.result;
      const query = queryOf(parsed.value);
      const data = await exportPerson(deps, query, actor);
      return data ? json(200, data) : notFound(query);
    }
    if (route === 'POST /api/privacy/withdraw') {
      const parsed = parseBody(event, WithdrawSchema);
      if (!parsed.ok) return parsed.result;
      const query = queryOf(parsed.value);
      const receipt = await withdrawConsent(
        deps,
        {
          query,
          purpose: parsed.value.purpose,
          requestId: parsed.value.requestId ?? randomUUID(),
        },
        actor,
      );
      return receipt ? json(200, receipt) : notFound(query);
    }
    if (route === 'POST /api/privacy/erase') {
      const parsed = parseBody(event, PersonSchema);
      if (!parsed.ok) return parsed.result;
      return json(200, await erasePerson(deps, queryOf(parsed.value), actor));
    }
    if (route === 'GET /api/privacy/audit') {
      const query = auditQuery(event);
      if (!query.ok) return query.result;
      return json(200, await listAuditTrail(deps, query.value));
    }
    return errorResponse(404, 'not_found', `No route ${route}`);
  }

  return async function privacyHttpHandler(event: APIGatewayProxyEventV2): Promise<HttpResult> {
    const by = await adminCaller(deps, event);
    if (!by) return unauthorised();
    try {
      return await handle(event, { by, requestId: event.requestContext.requestId });
    } catch (error) {
      if (error instanceof InvalidIdentifierError) {
        return errorResponse(400, 'invalid_identifier', error.message, { field: error.field });
      }
      if (error instanceof InvalidCursorError) return errorResponse(400, 'invalid_cursor', error.message);
      if (error instanceof AuditUnavailableError) {
        deps.logger.error('privacy audit write failed', {
          routeKey: event.routeKey,
          actionDone: error.actionDone,
          error: (error.cause as Error | undefined)?.name,
        });
        return errorResponse(
          503,
          'audit_unavailable',
          error.actionDone
            ? `${error.message}; send the same request again to complete it`
            : `${error.message}; try again`,
          { actionDone: error.actionDone },
        );
      }
      throw error;
    }
  };
}
