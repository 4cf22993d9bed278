import type { ConnectionFailureReason } from '../../../events/contracts.js';
import { createOutboundClient, type RetryPolicy } from '../../http/outbound.js';
import type { Secrets } from '../../ports.js';
import * as z from '../../zod.js';
import { type ConnectionFailure, PermanentSourceError } from '../errors.js';
import { parseLosslessJson } from '../meta/parse.js';

/** Numbers were parsed losslessly (as their digits), so ids and times arrive as strings. */
const id = z.pipe(z.union([z.string(), z.number()]), z.transform(String));
const text = z.string();

/** LinkedIn's localized text: `{"localized": {"en_US": "Email"}, "preferredLocale": {...}}`. */
export const LocalizedSchema = z.looseObject({ localized: z._default(z.record(z.string(), z.string()), {}) });
export type Localized = z.infer<typeof LocalizedSchema>;

/** The text in the form's locale (`en_US`), else the first one there is. */
export function localizedText(value: Localized | undefined, locale?: string): string | undefined {
  if (!value) return undefined;
  const texts = value.localized;
  const picked = (locale && texts[locale]) || Object.values(texts)[0];
  return picked !== undefined && picked.trim() !== '' ? picked : undefined;
}

const UrnMapSchema = z.pipe(
  z.record(z.string(), z.unknown()),
  z.transform((o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string')),
  ),
);

/** GET /rest/leadFormResponses/{id} (platforms.md §2.4). */
export const LinkedInLeadResponseSchema = z.object({
  id: text,
  owner: z.optional(UrnMapSchema),
  submitter: z.optional(text),
  leadType: z.optional(text),
  leadMetadata: z.optional(
    z.looseObject({
      sponsoredLeadMetadata: z.optional(z.looseObject({ campaign: z.optional(text) })),
    }),
  ),
  versionedLeadGenFormUrn: z.optional(text),
  submittedAt: z.optional(id),
  testLead: z.optional(z.boolean()),
  associatedEntity: z.optional(UrnMapSchema),
  formResponse: z._default(
    z.looseObject({
      consentResponses: z._default(
        z.array(z.looseObject({ consentId: id, accepted: z.optional(z.boolean()) })),
        [],
      ),
      answers: z._default(
        z.array(
          z.looseObject({
            questionId: id,
            answerDetails: z._default(
              z.looseObject({
                textQuestionAnswer: z.optional(z.looseObject({ answer: z.string() })),
                multipleChoiceAnswer: z.optional(z.looseObject({ options: z._default(z.array(id), []) })),
              }),
              {},
            ),
          }),
        ),
        [],
      ),
    }),
    { consentResponses: [], answers: [] },
  ),
});
export type LinkedInLeadResponse = z.infer<typeof LinkedInLeadResponseSchema>;

/** GET /rest/leadForms/{formId}: questions (with predefinedField), hidden fields and legal info. */
export const LinkedInFormSchema = z.object({
  id: z.optional(id),
  name: z.optional(text),
  versionId: z.optional(id),
  state: z.optional(text),
  creationLocale: z.optional(z.looseObject({ country: z.optional(text), language: z.optional(text) })),
  hiddenFields: z._default(z.array(z.looseObject({ name: text, value: z.optional(text) })), []),
  content: z._default(
    z.looseObject({
      questions: z._default(
        z.array(
          z.looseObject({
            questionId: id,
            name: z.optional(text),
            question: z.optional(LocalizedSchema),
            predefinedField: z.optional(text),
            questionDetails: z.optional(
              z.looseObject({
                multipleChoiceQuestionDetails: z.optional(
                  z.looseObject({
                    options: z._default(
                      z.array(z.looseObject({ id, text: z.optional(LocalizedSchema) })),
                      [],
                    ),
                  }),
                ),
              }),
            ),
          }),
        ),
        [],
      ),
      legalInfo: z.optional(
        z.looseObject({
          legalInfoId: z.optional(id),
          privacyPolicyUrl: z.optional(text),
          legalDisclaimer: z.optional(LocalizedSchema),
          consents: z._default(
            z.array(
              z.looseObject({
                id,
                consent: z.optional(LocalizedSchema),
                checkRequired: z.optional(z.boolean()),
              }),
            ),
            [],
          ),
        }),
      ),
    }),
    { questions: [] },
  ),
});
export type LinkedInForm = z.infer<typeof LinkedInFormSchema>;

/** The form's locale key as LinkedIn writes localized maps (`en_US`). */
export function formLocale(form: LinkedInForm | undefined): string | undefined {
  const { language, country } = form?.creationLocale ?? {};
  return language && country ? `${language}_${country}` : undefined;
}

/** A LinkedIn failure worth retrying later (throttling, 5xx, timeouts): thrown so the queue retries. */
export class LinkedInTransientError extends Error {
  override name = 'LinkedInTransientError';
}

export interface LinkedInClientOptions {
  /** e.g. https://api.linkedin.com (LINKEDIN_API_URL). */
  baseUrl: string;
  /** LinkedIn-Version, YYYYMM (LINKEDIN_API_VERSION). */
  version: string;
  /** The outbound client's default policy unless set: 3 attempts of 4 s within 10 s. */
  retry?: Partial<RetryPolicy>;
  fetch?: typeof globalThis.fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** Forms read without a version (no versioned URN) are kept this long; versioned ones never change. */
  unversionedFormTtlMs?: number;
  formCacheMaxEntries?: number;
}

export interface LinkedInClient {
  getLeadResponse(responseId: string, token: string): Promise<LinkedInLeadResponse>;
  /** Cached per form version: a versioned form never changes, so it is read once. */
  getForm(formId: string, version: string | undefined, token: string): Promise<LinkedInForm>;
}

/** LinkedIn's error body: `{"status": 401, "serviceErrorCode": 65602, "code": "EXPIRED_ACCESS_TOKEN", …}`. */
interface LinkedInErrorBody {
  code?: string;
  serviceErrorCode?: string;
}

export type LinkedInFailure =
  | { kind: 'transient'; detail: string }
  | { kind: 'permanent'; reason: ConnectionFailureReason; detail: string };

function linkedInError(body: unknown): LinkedInErrorBody {
  if (!body || typeof body !== 'object') return {};
  const o = body as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' && v.length <= 100 ? v : undefined);
  const code = str(o.code);
  const serviceErrorCode = str(o.serviceErrorCode);
  return { ...(code ? { code } : {}), ...(serviceErrorCode ? { serviceErrorCode } : {}) };
}

/**
 * Sorts a failed LinkedIn response: 429 and 5xx are transient; 401 is an expired (code
 * EXPIRED_ACCESS_TOKEN, 65602) or otherwise invalid or revoked token; 403 a missing role or scope; 404 an
 * unknown lead (or one the member cannot see); 426 and other 4xx a rejected request (a sunset
 * LinkedIn-Version answers 426 NONEXISTENT_VERSION).
 */
export function classifyLinkedInFailure(status: number, error: LinkedInErrorBody): LinkedInFailure {
  const detail = `HTTP ${status}${error.code ? ` ${error.code}` : ''}${error.serviceErrorCode ? `/${error.serviceErrorCode}` : ''}`;
  if (status === 429 || status >= 500) return { kind: 'transient', detail };
  if (status === 401) {
    const expired = error.code === 'EXPIRED_ACCESS_TOKEN' || error.serviceErrorCode === '65602';
    return { kind: 'permanent', reason: expired ? 'token_expired' : 'token_invalid', detail };
  }
  if (status === 403) return { kind: 'permanent', reason: 'permission_missing', detail };
  if (status === 404) return { kind: 'permanent', reason: 'lead_not_found', detail };
  return { kind: 'permanent', reason: 'request_rejected', detail };
}

const REPLAY = 'npm run replay -- --source linkedin --status failed';

/** The fix, in words, for each permanent reason. Ids only. */
export function linkedInConnectionFix(
  reason: ConnectionFailureReason,
  what: { responseId: string; formId?: string; version?: string },
): string {
  switch (reason) {
    case 'token_expired':
    case 'token_invalid':
      return (
        'The LinkedIn access token (LINKEDIN_ACCESS_TOKEN) has expired or was revoked (member tokens last 60 ' +
        'days). Have a member with a role on the ad account and on the company page authorise the app again ' +
        'with the r_marketing_leadgen_automation scope (or exchange the refresh token), store the new token in ' +
        `LINKEDIN_ACCESS_TOKEN, then replay: ${REPLAY}`
      );
    case 'token_missing':
    case 'app_secret_missing':
      return (
        'LINKEDIN_ACCESS_TOKEN is not configured: set it to a member access token with the ' +
        `r_marketing_leadgen_automation scope, then replay: ${REPLAY}`
      );
    case 'permission_missing':
      return (
        'The member behind LINKEDIN_ACCESS_TOKEN may not read this lead. It needs a role on the ad account ' +
        '(ACCOUNT_BILLING_ADMIN, ACCOUNT_MANAGER, CAMPAIGN_MANAGER, CREATIVE_MANAGER or VIEWER) and on the ' +
        `associated company page, and the token the r_marketing_leadgen_automation scope; then replay: ${REPLAY}`
      );
    case 'lead_not_found':
      return what.formId
        ? `LinkedIn says lead form ${what.formId} does not exist or the token's member cannot see it. Check ` +
            `the member's roles on the owning account, then replay: ${REPLAY}`
        : `LinkedIn says lead form response ${what.responseId} does not exist or the token's member cannot ` +
            `see it (LinkedIn keeps leads 365 days). Check the member's roles on the owning account, then ` +
            `replay: ${REPLAY}`;
    case 'request_rejected':
      return (
        `LinkedIn rejected the request. Check that LINKEDIN_API_VERSION (${what.version ?? 'unset'}) is a ` +
        'version LinkedIn still serves (it sunsets versions after about a year) and that LINKEDIN_API_URL is ' +
        `right, then replay: ${REPLAY}`
      );
  }
}

export function linkedInConnectionError(
  reason: ConnectionFailureReason,
  what: { responseId: string; formId?: string; version?: string },
  extra: Omit<ConnectionFailure, 'reason' | 'fix' | 'formId'> = {},
  detail?: string,
): PermanentSourceError {
  const target = what.formId ? `form ${what.formId}` : `lead ${what.responseId}`;
  return new PermanentSourceError(`linkedin ${reason} for ${target}${detail ? ` (${detail})` : ''}`, {
    reason,
    fix: linkedInConnectionFix(reason, what),
    ...(what.formId ? { formId: what.formId } : {}),
    ...extra,
  });
}

/** The member access token; missing is permanent until someone configures it. */
export async function linkedInAccessToken(secrets: Secrets, responseId: string): Promise<string> {
  const token = await secrets.get('LINKEDIN_ACCESS_TOKEN');
  if (!token) throw linkedInConnectionError('token_missing', { responseId });
  return token;
}

/**
 * A small LinkedIn Marketing API client for the two reads capture needs, with the versioned-API headers
 * (`LinkedIn-Version`, `X-Restli-Protocol-Version: 2.0.0`) and the token as Bearer, over the outbound client
 * (lib/http/outbound.ts). Transient failures are retried within its policy (honouring Retry-After), then
 * LinkedInTransientError makes the queue retry; permanent ones become PermanentSourceError with the
 * connection details.
 */
export function createLinkedInClient(options: LinkedInClientOptions): LinkedInClient {
  const now = options.now ?? Date.now;
  const http = createOutboundClient({ ...options, now });
  const unversionedTtlMs = options.unversionedFormTtlMs ?? 60 * 60 * 1000;
  const formMax = options.formCacheMaxEntries ?? 500;
  const base = options.baseUrl.replace(/\/+$/, '');
  const forms = new Map<string, { form: LinkedInForm; expiresAt: number }>();
  // Leads of one batch share a form: concurrent misses wait for the one read in flight.
  const reading = new Map<string, Promise<LinkedInForm>>();

  /** What the classifier passes on: the error body's codes, and the reason when permanent. */
  type LinkedInInfo = { error: LinkedInErrorBody; reason?: ConnectionFailureReason } | { unreadable: true };

  async function get<T>(
    path: string,
    schema: z.ZodMiniType<T>,
    token: string,
    what: { responseId: string; formId?: string },
  ): Promise<T> {
    const result = await http.request<T, LinkedInInfo>(
      new URL(`${base}${path}`),
      {
        headers: {
          authorization: `Bearer ${token}`,
          'linkedin-version': options.version,
          'x-restli-protocol-version': '2.0.0',
          accept: 'application/json',
        },
      },
      {
        ...(options.retry ? { policy: options.retry } : {}),
        read: (res) => {
          const parsed = schema.safeParse(parseLosslessJson(res.body));
          // A 200 we cannot read is no connection problem, and retrying will not change it.
          return parsed.success
            ? { ok: true, value: parsed.data }
            : { ok: false, transient: false, info: { unreadable: true } };
        },
        classifyError: (res) => {
          const error = linkedInError(parseLosslessJson(res.body));
          const failure = classifyLinkedInFailure(res.status, error);
          return failure.kind === 'transient'
            ? { ok: false, transient: true, detail: failure.detail, info: { error } }
            : {
                ok: false,
                transient: false,
                detail: failure.detail,
                info: { error, reason: failure.reason },
              };
        },
      },
    );
    if (result.ok) return result.value;
    const { failure } = result;
    if (failure.kind === 'transient') {
      throw new LinkedInTransientError(
        `linkedin ${what.formId ? `form ${what.formId}` : `lead ${what.responseId}`}: ${failure.detail} ` +
          `after ${result.attempts} attempt(s); the queue will retry`,
      );
    }
    const info = failure.info;
    if (!info || 'unreadable' in info || !info.reason) {
      throw new PermanentSourceError(`linkedin ${path}: unexpected response shape`);
    }
    throw linkedInConnectionError(
      info.reason,
      { ...what, version: options.version },
      {
        platformError: {
          status: failure.status,
          ...(info.error.code ? { code: info.error.code } : {}),
          ...(info.error.serviceErrorCode ? { subcode: info.error.serviceErrorCode } : {}),
        },
      },
      failure.detail,
    );
  }

  return {
    getLeadResponse: (responseId, token) =>
      get(`/rest/leadFormResponses/${encodeURIComponent(responseId)}`, LinkedInLeadResponseSchema, token, {
        responseId,
      }),

    async getForm(formId, version, token) {
      const key = `${formId}#${version ?? 'latest'}`;
      const cached = forms.get(key);
      if (cached && cached.expiresAt > now()) return cached.form;
      const inFlight = reading.get(key);
      if (inFlight) return inFlight;
      const read = get(`/rest/leadForms/${encodeURIComponent(formId)}`, LinkedInFormSchema, token, {
        responseId: '',
        formId,
      });
      reading.set(key, read);
      let form: LinkedInForm;
      try {
        form = await read;
      } finally {
        reading.delete(key);
      }
      // A form read for one version but served as another is used, not cached under the version asked for.
      const served = form.versionId;
      if (version === undefined || served === undefined || served === version) {
        forms.delete(key);
        if (forms.size >= formMax) forms.delete(forms.keys().next().value as string);
        const ttl = version === undefined ? unversionedTtlMs : Number.POSITIVE_INFINITY;
        forms.set(key, { form, expiresAt: now() + ttl });
      }
      return form;
    },
  };
}
