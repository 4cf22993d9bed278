import fc from 'fast-check';
import { createDynamoDbReceiptStore } from '../../lib/adapters/dynamodb/receipt-store.js';
import { hmacSha256Hex } from '../../lib/http/raw-body.js';
import { startDynalite } from '../../lib/local/dynalite.js';
import { type HubFactories, type RunningHub, startHub } from '../../lib/local/runtime.js';
import type { ReceiptKey } from '../../lib/ports.js';
import { HttpRoutes } from '../../lib/routes.js';
import { signLinkedInBody } from '../../lib/sandbox/linkedin-webhook.js';
import { signMetaBody } from '../../lib/sandbox/meta-webhook.js';
import { signTikTokBody, TIKTOK_ADVERTISER_ID } from '../../lib/sandbox/tiktok-webhook.js';
import { BENCH_FORM_ID, formSource } from '../sources/form.js';

/** The secrets of a fuzz hub: the fuzzer signs its "signed" family with them, and only that family. */
export interface FuzzSecrets {
  formSecret: string;
  metaAppSecret: string;
  metaVerifyToken: string;
  linkedInSecret: string;
  tiktokPathToken: string;
  tiktokAppSecret: string;
  googleKey: string;
  slackSigningSecret: string;
  adminToken: string;
}

export const FUZZ_SECRETS: FuzzSecrets = {
  formSecret: formSource.env.LEADHUB_FORM_SECRET as string,
  metaAppSecret: 'fuzz-meta-app-secret',
  metaVerifyToken: 'fuzz-verify-token',
  linkedInSecret: 'fuzz-linkedin-client-secret',
  tiktokPathToken: 'fuzz-tiktok-path-token-0a1b2c3d',
  tiktokAppSecret: 'fuzz-tiktok-app-secret',
  googleKey: 'fuzz-google-webhook-key',
  slackSigningSecret: 'fuzz-slack-signing-secret',
  adminToken: 'fuzz-admin-token',
};

/**
 * `forged`: no credential, or a wrong one (random signatures, keys, path tokens, admin tokens): every
 * answer is a 4xx and nothing may be stored. `signed`: correctly signed or keyed requests whose bodies
 * are malformed: still never a 5xx, and every refusal explains itself.
 */
export type FuzzFamily = 'forged' | 'signed';

export interface FuzzRequest {
  route: string;
  method: string;
  /** Path and query, already encoded. */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface FuzzResponse {
  status?: number;
  contentType?: string;
  body: string;
  /** Why no answer came (the connection was reset or the request timed out). */
  error?: string;
}

/** The properties every answer must have; returns the one violated, if any. */
export function violation(response: FuzzResponse): string | undefined {
  if (response.status === undefined)
    return `no answer (${response.error ?? 'unknown'}): the request was interrupted`;
  if (response.status >= 500) return `${response.status} for malformed input`;
  if (response.status < 400) return undefined;
  if (!response.contentType?.includes('application/json')) {
    return `error ${response.status} is not JSON (content-type ${response.contentType ?? 'none'})`;
  }
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    return `error ${response.status} body is not valid JSON`;
  }
  const message = (body as { message?: unknown } | null)?.message;
  if (typeof message !== 'string' || message.trim() === '') return `error ${response.status} has no message`;
  return undefined;
}

// ---- generators -----------------------------------------------------------------------------------

const ascii = (maxLength: number) => fc.string({ unit: 'grapheme-ascii', maxLength });
const anyText = (maxLength: number) => fc.string({ unit: 'binary', maxLength });
const leaf = fc.oneof(fc.jsonValue({ maxDepth: 2 }), anyText(40));
const idLike = fc.oneof(
  fc.bigInt({ min: 0n, max: 10n ** 22n }).map(String),
  ascii(24),
  fc.integer(),
  fc.constant(null),
  leaf,
);
const optionalRecord = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }) =>
  fc.record(model, { requiredKeys: [] });

const metaBody = optionalRecord({
  object: fc.oneof(fc.constantFrom('page', 'instagram', 'user'), leaf),
  entry: fc.oneof(
    fc.array(
      optionalRecord({
        id: idLike,
        time: fc.oneof(fc.integer(), leaf),
        changes: fc.oneof(
          fc.array(
            optionalRecord({
              field: fc.oneof(fc.constant('leadgen'), ascii(12)),
              value: fc.oneof(
                optionalRecord({
                  leadgen_id: idLike,
                  page_id: idLike,
                  form_id: idLike,
                  ad_id: idLike,
                  created_time: fc.oneof(fc.integer(), leaf),
                }),
                leaf,
              ),
            }),
            { maxLength: 4 },
          ),
          leaf,
        ),
      }),
      { maxLength: 3 },
    ),
    leaf,
  ),
});

const urnish = fc
  .tuple(
    fc.constantFrom(
      'urn:li:leadGenFormResponse:',
      'urn:li:versionedLeadGenForm:(urn:li:leadGenForm:',
      'urn:li:sponsoredAccount:',
      'urn:li:',
      '',
    ),
    ascii(40),
  )
  .map(([prefix, rest]) => prefix + rest);
const linkedInNotification = optionalRecord({
  type: fc.oneof(fc.constant('LEAD_ACTION'), leaf),
  leadGenFormResponse: fc.oneof(urnish, leaf),
  leadGenForm: fc.oneof(urnish, leaf),
  owner: fc.oneof(fc.dictionary(ascii(20), fc.oneof(urnish, leaf), { maxKeys: 3 }), leaf),
  leadType: fc.oneof(fc.constantFrom('SPONSORED', 'ORGANIC'), leaf),
  leadAction: fc.oneof(fc.constantFrom('CREATED', 'DELETED'), leaf),
  occurredAt: fc.oneof(fc.integer(), leaf),
});
const linkedInBody = fc.oneof(linkedInNotification, fc.array(linkedInNotification, { maxLength: 3 }));

const tiktokBody = optionalRecord({
  request_id: idLike,
  object: fc.oneof(fc.constantFrom(1, 2, 3), leaf),
  time: fc.oneof(fc.integer(), leaf),
  entry: fc.oneof(
    fc.array(
      optionalRecord({
        id: idLike,
        advertiser_id: fc.oneof(fc.constant(TIKTOK_ADVERTISER_ID), idLike),
        page_id: idLike,
        create_time: fc.oneof(fc.integer(), leaf),
        changes: fc.oneof(
          fc.array(
            optionalRecord({
              field: fc.oneof(fc.constantFrom('name', 'email', 'phone_number'), ascii(20)),
              value: leaf,
            }),
            {
              maxLength: 5,
            },
          ),
          leaf,
        ),
      }),
      { maxLength: 3 },
    ),
    leaf,
  ),
});

const googleBody = optionalRecord({
  lead_id: fc.oneof(ascii(60), fc.integer(), leaf),
  user_column_data: fc.oneof(
    fc.array(
      optionalRecord({
        column_id: fc.oneof(fc.constantFrom('FULL_NAME', 'EMAIL', 'PHONE_NUMBER', 'COMPANY_NAME'), ascii(20)),
        column_name: leaf,
        string_value: fc.oneof(anyText(60), leaf),
      }),
      { maxLength: 5 },
    ),
    leaf,
  ),
  form_id: idLike,
  campaign_id: idLike,
  is_test: fc.oneof(fc.boolean(), leaf),
  lead_submit_time: fc.oneof(ascii(30), leaf),
  api_version: leaf,
});

const formFields = fc.dictionary(
  fc.oneof(
    fc.constantFrom(
      'email',
      'name',
      'phone',
      'company',
      'job_title',
      'privacy_accepted',
      'marketing_opt_in',
      'submission_id',
      'website',
      'is_test',
      'utm_source',
      'landing_url',
    ),
    ascii(16),
  ),
  fc.oneof(anyText(80), leaf),
  { maxKeys: 10 },
);

const slackPayload = optionalRecord({
  type: fc.oneof(fc.constantFrom('block_actions', 'view_submission'), leaf),
  user: fc.oneof(optionalRecord({ id: fc.oneof(ascii(12), leaf) }), leaf),
  actions: fc.oneof(
    fc.array(
      optionalRecord({
        action_id: fc.oneof(fc.constantFrom('leadhub_claim', 'leadhub_not_a_fit'), ascii(20)),
        value: fc.oneof(ascii(40), leaf),
      }),
      { maxLength: 2 },
    ),
    leaf,
  ),
  channel: fc.oneof(optionalRecord({ id: ascii(12) }), leaf),
  // Never a reachable URL: the fuzzer stays on localhost.
  response_url: fc.oneof(fc.constant('http://127.0.0.1:9/slack-response'), ascii(20)),
});

/** Bodies: noise, JSON, shaped-but-wrong platform payloads, form encodings, oversize. */
const bodyText = fc.oneof(
  { weight: 2, arbitrary: anyText(400) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 3, arbitrary: metaBody.map((b) => JSON.stringify(b)) },
  { weight: 3, arbitrary: linkedInBody.map((b) => JSON.stringify(b)) },
  { weight: 3, arbitrary: tiktokBody.map((b) => JSON.stringify(b)) },
  { weight: 3, arbitrary: googleBody.map((b) => JSON.stringify(b)) },
  { weight: 3, arbitrary: formFields.map((f) => JSON.stringify(f)) },
  { weight: 2, arbitrary: formFields.map((f) => new URLSearchParams(stringValues(f)).toString()) },
  { weight: 1, arbitrary: slackPayload.map((p) => `payload=${encodeURIComponent(JSON.stringify(p))}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(70_000, 300_000, 1_200_000).map((n) => `{"a":"${'x'.repeat(n)}"}`),
  },
);
const body = fc.oneof(
  { weight: 9, arbitrary: bodyText.map((t) => Buffer.from(t, 'utf8')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)) },
);

const contentType = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/x-www-form-urlencoded',
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/xml',
  ),
  ascii(40),
);

const segment = fc.oneof(
  ascii(30).map(encodeURIComponent),
  anyText(20).map(encodeURIComponent),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '..', '.', '', BENCH_FORM_ID, 'contact'),
);
const query = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          'hub.mode',
          'hub.verify_token',
          'hub.challenge',
          'challengeCode',
          'limit',
          'cursor',
          'from',
          'to',
          'email',
          'phone',
          'contactId',
        ),
        ascii(12),
      ),
      fc.oneof(ascii(40), anyText(20)),
    ),
    {
      maxLength: 4,
    },
  )
  .map((pairs) =>
    pairs.length === 0
      ? ''
      : `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`,
  );

function stringValues(fields: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? v : (JSON.stringify(v) ?? '')]),
  );
}

/** Every route of lib/routes.ts, plus paths and methods no route has. */
const ROUTE_KEYS = [
  ...HttpRoutes.map((r) => `${r.method} ${r.path}`),
  'POST /nowhere',
  'DELETE /api/leads',
  'PUT /forms/{formId}',
];

function fillPath(path: string, values: string[]): string {
  let i = 0;
  return path.replace(/\{[^}]+\}/g, () => values[i++] ?? 'x');
}

/** A request with no valid credential: random or missing signatures, wrong keys, path tokens and tokens. */
export function forgedRequest(): fc.Arbitrary<FuzzRequest> {
  const signatureHeaders = fc.dictionary(
    fc.constantFrom(
      'x-hub-signature-256',
      'x-li-signature',
      'x-open-signature',
      'x-leadhub-signature',
      'x-slack-signature',
      'x-slack-request-timestamp',
      'authorization',
      'idempotency-key',
      'origin',
      'referer',
    ),
    fc.oneof(
      ascii(80),
      fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `sha256=${Buffer.from(b).toString('hex')}`),
      fc.constant('Bearer fuzz-wrong-admin-token'),
    ),
    { maxKeys: 4 },
  );
  return fc
    .record({
      route: fc.constantFrom(...ROUTE_KEYS),
      segments: fc.array(segment, { minLength: 1, maxLength: 2 }),
      query,
      contentType: fc.option(contentType, { nil: undefined }),
      signatures: signatureHeaders,
      body: fc.option(body, { nil: undefined }),
    })
    .map(({ route, segments, query: q, contentType: ct, signatures, body: b }) => {
      const [method, path] = route.split(' ') as [string, string];
      // A TikTok delivery is let in by its path token: a forged one never has the right token.
      const fixed = segments.map((s) => (s === FUZZ_SECRETS.tiktokPathToken ? `${s}x` : s));
      const google = path === '/webhooks/google' && b ? withoutGoogleKey(b) : b;
      return {
        route,
        method,
        target: `${fillPath(path, fixed)}${q}`,
        headers: { ...signatures, ...(ct ? { 'content-type': ct } : {}) },
        ...(google && method !== 'GET' ? { body: google } : {}),
      };
    });
}

/** Google's key rides in the body: a forged body must not carry the real one. */
function withoutGoogleKey(body: Buffer): Buffer {
  return body.includes(FUZZ_SECRETS.googleKey) ? Buffer.from('{}') : body;
}

/** Correctly signed or keyed deliveries (and admin calls with the right token) with malformed bodies. */
export function signedRequest(): fc.Arbitrary<FuzzRequest> {
  const s = FUZZ_SECRETS;
  const json = { 'content-type': 'application/json' };
  const withBody = <T>(shape: fc.Arbitrary<T>) =>
    fc.oneof(
      { weight: 3, arbitrary: shape.map((v) => Buffer.from(JSON.stringify(v))) },
      { weight: 1, arbitrary: body },
    );
  return fc.oneof(
    withBody(metaBody).map((b) => ({
      route: 'POST /webhooks/meta',
      method: 'POST',
      target: '/webhooks/meta',
      headers: { ...json, 'x-hub-signature-256': signMetaBody(b, s.metaAppSecret) },
      body: b,
    })),
    withBody(linkedInBody).map((b) => ({
      route: 'POST /webhooks/linkedin',
      method: 'POST',
      target: '/webhooks/linkedin',
      headers: { ...json, 'x-li-signature': signLinkedInBody(b, s.linkedInSecret) },
      body: b,
    })),
    fc.tuple(withBody(tiktokBody), fc.boolean()).map(([b, sign]) => ({
      route: 'POST /webhooks/tiktok/{token}',
      method: 'POST',
      target: `/webhooks/tiktok/${s.tiktokPathToken}`,
      headers: { ...json, ...(sign ? { 'x-open-signature': signTikTokBody(b, s.tiktokAppSecret) } : {}) },
      body: b,
    })),
    googleBody.map((g) => {
      const b = Buffer.from(JSON.stringify({ ...g, google_key: s.googleKey }));
      return {
        route: 'POST /webhooks/google',
        method: 'POST',
        target: '/webhooks/google',
        headers: json,
        body: b,
      };
    }),
    fc
      .tuple(
        fc.oneof(
          formFields.map((f) => JSON.stringify(f)),
          anyText(200),
        ),
        fc.option(contentType, { nil: undefined }),
      )
      .map(([text, ct]) => {
        const b = Buffer.from(text);
        return {
          route: 'POST /forms/{formId}',
          method: 'POST',
          target: `/forms/${BENCH_FORM_ID}`,
          headers: {
            'content-type': ct ?? 'application/json',
            'x-leadhub-signature': `sha256=${hmacSha256Hex(s.formSecret, b)}`,
          },
          body: b,
        };
      }),
    fc
      .oneof(
        slackPayload.map((p) => `payload=${encodeURIComponent(JSON.stringify(p))}`),
        anyText(200),
      )
      .map((text) => {
        const b = Buffer.from(text);
        const timestamp = String(Math.floor(Date.now() / 1000));
        return {
          route: 'POST /slack/actions',
          method: 'POST',
          target: '/slack/actions',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-slack-request-timestamp': timestamp,
            'x-slack-signature': `v0=${hmacSha256Hex(s.slackSigningSecret, `v0:${timestamp}:${text}`)}`,
          },
          body: b,
        };
      }),
    fc
      .tuple(
        fc.constantFrom(...HttpRoutes.filter((r) => r.auth === 'admin')),
        fc.array(segment, { minLength: 1, maxLength: 2 }),
        query,
        fc.option(body, { nil: undefined }),
      )
      .map(([route, segments, q, b]) => ({
        route: `${route.method} ${route.path}`,
        method: route.method,
        target: `${fillPath(route.path, segments)}${q}`,
        headers: { authorization: `Bearer ${s.adminToken}`, ...json },
        ...(b && route.method !== 'GET' ? { body: b } : {}),
      })),
    fc.tuple(query, ascii(40)).map(([q, challenge]) => ({
      route: 'GET /webhooks/meta',
      method: 'GET',
      target: `/webhooks/meta${q || `?hub.mode=subscribe&hub.verify_token=${s.metaVerifyToken}&hub.challenge=${encodeURIComponent(challenge)}`}`,
      headers: {},
    })),
  );
}

/** Sends one fuzz request; a reset connection or a timeout is reported, not thrown. */
export async function send(baseUrl: string, request: FuzzRequest, timeoutMs = 10_000): Promise<FuzzResponse> {
  try {
    const res = await fetch(`${baseUrl}${request.target}`, {
      method: request.method,
      headers: request.headers,
      ...(request.body ? { body: request.body } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return { status: res.status, contentType: res.headers.get('content-type') ?? undefined, body: text };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { body: '', error: `${(error as Error).name}${cause ? ` ${cause}` : ''}` };
  }
}

export interface FuzzReport {
  family: FuzzFamily;
  runs: number;
  seed: number;
  statuses: Record<string, number>;
  /** The first violation found (after shrinking), with the request that caused it. */
  failure?: { reason: string; request: string };
  /** Receipts written by forged requests (must be 0). */
  storedByForged: number;
}

/**
 * Property-based fuzzing of every HTTP route with fast-check: `numRuns` requests of one family, each
 * answer checked by `violation`. A failure is shrunk to a small request and reported with the seed.
 */
export async function fuzzRoutes(options: {
  url: string;
  family: FuzzFamily;
  numRuns: number;
  seed: number;
  /** Receipts created so far (the fuzz hub counts them). */
  receiptsCreated: () => number;
}): Promise<FuzzReport> {
  const statuses: Record<string, number> = {};
  const before = options.receiptsCreated();
  let lastViolation = '';
  const property = fc.asyncProperty(
    options.family === 'forged' ? forgedRequest() : signedRequest(),
    async (request) => {
      const response = await send(options.url, request);
      const label = response.status === undefined ? 'no-answer' : String(response.status);
      statuses[label] = (statuses[label] ?? 0) + 1;
      const problem = violation(response);
      if (problem) {
        lastViolation = `${problem}: ${response.body.slice(0, 200)}`;
        return false;
      }
      if (options.family === 'forged' && options.receiptsCreated() > before) {
        lastViolation = 'a forged request stored a receipt';
        return false;
      }
      return true;
    },
  );
  const details = await fc.check(property, {
    numRuns: options.numRuns,
    seed: options.seed,
    endOnFailure: false,
  });
  const report: FuzzReport = {
    family: options.family,
    runs: details.numRuns,
    seed: options.seed,
    statuses,
    storedByForged: options.family === 'forged' ? options.receiptsCreated() - before : 0,
  };
  if (details.failed) {
    const [request] = (details.counterexample ?? []) as [FuzzRequest?];
    report.failure = {
      // A property that returned false left its reason here (the last one: the shrunk counterexample's).
      reason: lastViolation || String(details.errorInstance ?? 'property failed'),
      request: request ? describeRequest(request) : 'unknown',
    };
  }
  return report;
}

function describeRequest(request: FuzzRequest): string {
  const body = request.body ? request.body.toString('utf8').slice(0, 300) : '';
  return `${request.method} ${request.target.slice(0, 200)} ${JSON.stringify(request.headers).slice(0, 300)} ${JSON.stringify(body)}`;
}

export interface FuzzHub {
  url: string;
  hub: RunningHub;
  /** Receipts the hub wrote (every lead enters through one). */
  receipts: ReceiptKey[];
  close(): Promise<void>;
}

/**
 * A hub for fuzzing: every source configured with FUZZ_SECRETS, every form requiring a signature, and a
 * store that reports each receipt it writes. Capture is switched off (what is accepted is only counted),
 * so the fuzz stays on the HTTP surface. Localhost only.
 */
export async function startFuzzHub(
  options: {
    dynamoEndpoint?: string;
    log?: (line: string) => void;
    /** Replace parts of the hub (a test plants a broken handler to prove the fuzz can fail). */
    factories?: Partial<HubFactories>;
  } = {},
): Promise<FuzzHub> {
  const closers: (() => Promise<unknown>)[] = [];
  let endpoint = options.dynamoEndpoint;
  if (!endpoint) {
    const dynamo = await startDynalite();
    closers.push(dynamo.close);
    endpoint = dynamo.endpoint;
  }
  const s = FUZZ_SECRETS;
  const receipts: ReceiptKey[] = [];
  try {
    const hub = await startHub({
      env: {
        PORT: '0',
        AWS_REGION: 'us-east-1',
        TABLE_NAME: `leadhub-fuzz-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`,
        DYNAMODB_ENDPOINT: endpoint,
        LEADHUB_DB: 'memory',
        LEADHUB_DATA_DIR: '.leadhub-fuzz',
        LEADHUB_PEPPER: 'fuzz-pepper-not-a-secret',
        LEADHUB_ADMIN_TOKEN: s.adminToken,
        LEADHUB_FORM_SECRET: s.formSecret,
        META_APP_SECRET: s.metaAppSecret,
        META_VERIFY_TOKEN: s.metaVerifyToken,
        META_PAGE_ACCESS_TOKEN: 'fuzz-page-token',
        // Nothing is fetched (capture is off); a closed port, should anything try.
        META_GRAPH_URL: 'http://127.0.0.1:9',
        LINKEDIN_CLIENT_SECRET: s.linkedInSecret,
        LINKEDIN_ACCESS_TOKEN: 'fuzz-linkedin-token',
        LINKEDIN_API_URL: 'http://127.0.0.1:9',
        TIKTOK_WEBHOOK_TOKEN: s.tiktokPathToken,
        TIKTOK_APP_SECRET: s.tiktokAppSecret,
        TIKTOK_ADVERTISER_IDS: TIKTOK_ADVERTISER_ID,
        GOOGLE_WEBHOOK_KEY: s.googleKey,
        SLACK_SIGNING_SECRET: s.slackSigningSecret,
      },
      // Only the signed bench form: an unsigned post is refused, so the forged family stores nothing.
      config: formSource.config,
      port: 0,
      // The fuzzer sends thousands of requests from one address: unthrottled, each one reaches its handler.
      tuning: { sweep: false, maxReceiveCount: 1, rateLimits: false },
      log: options.log ?? (() => undefined),
      factories: {
        receiptStore: (o) => {
          const store = createDynamoDbReceiptStore(o);
          return {
            ...store,
            async putReceipt(receipt) {
              const outcome = await store.putReceipt(receipt);
              if (outcome === 'created')
                receipts.push({ source: receipt.source, platformLeadId: receipt.platformLeadId });
              return outcome;
            },
          };
        },
        captureWorker: () => async () => ({ batchItemFailures: [] }),
        ...options.factories,
      },
    });
    closers.unshift(() => hub.stop());
    return {
      url: hub.url,
      hub,
      receipts,
      close: async () => {
        for (const close of closers) await close().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    throw error;
  }
}

/** The body generators, for fuzzing the parsers directly (test/unit/chaos). */
export const FUZZ_BODIES = {
  any: body,
  meta: metaBody,
  linkedIn: linkedInBody,
  tiktok: tiktokBody,
  google: googleBody,
  formFields,
  slackPayload,
  contentType,
};
