import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { FormConfig } from '../config.js';
import type { HubDeps } from '../deps.js';
import { header, rawBody, verifySha256Signature } from '../http/raw-body.js';
import { errorResponse, type HttpResult, json } from '../http/responses.js';
import { normaliseLead } from '../lead/normalise.js';
import { type FormIngestOutcome, ingestFormSubmission } from '../sources/form/dedupe.js';
import { honeypotFilled, mapFormSubmission } from '../sources/form/map.js';
import { parseFormBody } from '../sources/form/parse.js';

const CORS_MAX_AGE_SECONDS = '600';

function corsHeaders(form: FormConfig, origin: string | undefined): Record<string, string> {
  if (!origin || !form.allowedOrigins.includes(origin)) return { vary: 'Origin' };
  return { 'access-control-allow-origin': origin, vary: 'Origin' };
}

/** POST /forms/{formId} (and its CORS preflight): website form posts, JSON or urlencoded. */
export function createFormsHttpHandler(deps: HubDeps) {
  const { config, logger } = deps;

  return async function formsHttpHandler(event: APIGatewayProxyEventV2): Promise<HttpResult> {
    const formId = event.pathParameters?.formId ?? '';
    const form = Object.hasOwn(config.forms, formId) ? config.forms[formId] : undefined;
    if (!form) return errorResponse(404, 'unknown_form', `No form "${formId}" is configured`);

    const origin = header(event, 'origin');
    const method = event.requestContext.http.method;
    if (origin && !form.allowedOrigins.includes(origin)) {
      return errorResponse(
        403,
        'origin_not_allowed',
        'This origin may not post to this form',
        {},
        { vary: 'Origin' },
      );
    }
    const cors = corsHeaders(form, origin);
    if (method === 'OPTIONS') {
      return {
        statusCode: 204,
        headers: {
          ...cors,
          'access-control-allow-methods': 'POST, OPTIONS',
          'access-control-allow-headers': 'content-type, idempotency-key, x-leadhub-signature',
          'access-control-max-age': CORS_MAX_AGE_SECONDS,
        },
      };
    }

    const body = rawBody(event);
    if (body.length > form.maxBodyBytes) {
      return errorResponse(413, 'body_too_large', `Body exceeds ${form.maxBodyBytes} bytes`, {}, cors);
    }

    const signature = header(event, 'x-leadhub-signature');
    let signed = false;
    if (signature !== undefined || form.requireSignature) {
      const secret = await deps.secrets.get('LEADHUB_FORM_SECRET');
      if (!secret || !verifySha256Signature(signature, body, secret)) {
        logger.warn('form signature rejected', { formId, hasSignature: signature !== undefined });
        return errorResponse(
          401,
          'bad_signature',
          'X-LeadHub-Signature is missing or does not match',
          {},
          cors,
        );
      }
      signed = true;
    }

    const parsed = parseFormBody(header(event, 'content-type'), body);
    if (!parsed.ok) return errorResponse(parsed.status, parsed.error, parsed.message, {}, cors);

    // Bots get the same answer as people, so they learn nothing; nothing is stored or alerted.
    if (honeypotFilled(form, parsed.fields)) {
      logger.info('honeypot filled; submission dropped', { formId });
      return json(202, { status: 'accepted' }, cors);
    }

    const receivedAt = deps.clock.now().toISOString();
    const mapped = mapFormSubmission(form, parsed.fields, {
      formId,
      receivedAt,
      signed,
      ip: event.requestContext.http.sourceIp,
      userAgent: event.requestContext.http.userAgent,
      pageUrl: header(event, 'referer'),
      idempotencyKey: header(event, 'idempotency-key'),
    });
    // Validate now so the person can fix their input; capture normalises the same raw lead again.
    const check = normaliseLead(
      mapped.lead,
      { leadId: 'validation', receivedAt },
      { defaultCountry: form.phoneCountry ?? config.defaults.phoneCountry, required: form.required },
    );
    // A post over a limit is refused, not cut: the person can still fix it. The map names each field over
    // a per-value limit by its own name; what is left for normalisation to report is the whole-lead size.
    const cuts = check.ok && mapped.issues.length === 0 ? check.cuts : [];
    const issues = [...mapped.issues, ...(check.ok ? cuts : check.issues)];
    if (issues.length > 0) return invalid(issues, cors);

    let outcome: FormIngestOutcome;
    try {
      outcome = await ingestFormSubmission(deps, {
        formId,
        lead: mapped.lead,
        fields: parsed.fields,
        honeypot: form.honeypot,
      });
    } catch (error) {
      // Not durable, so not accepted: a 5xx makes the poster retry, and the retry dedupes on the same id.
      logger.error('form ingest failed', { formId, error: (error as Error).name });
      return errorResponse(
        503,
        'unavailable',
        'The lead could not be stored; retry',
        {},
        { ...cors, 'retry-after': '5' },
      );
    }
    const { submissionId, duplicate, conflict } = outcome;
    logger.info('form submission ingested', { formId, platformLeadId: submissionId, duplicate, conflict });
    return json(202, { status: 'accepted', submissionId, duplicate, conflict }, cors);
  };
}

function invalid(issues: { field: string; message: string }[], cors: Record<string, string>): HttpResult {
  return errorResponse(
    400,
    'invalid_fields',
    `${issues.length} field(s) are invalid: ${issues.map((i) => i.field).join(', ')}`,
    { fields: issues },
    cors,
  );
}
