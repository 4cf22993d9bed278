import { readFileSync } from 'node:fs';
import { AlertsSlackFields, checkAlertsConfig, slackAppChannelProblems } from './alerts/config.js';
import { ContactFieldSchema } from './lead/model.js';
import type { RouteLimitGroup } from './routes.js';
import { ScoringConfigSchema } from './scoring/config.js';
import * as z from './zod.js';

const FORM_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const nonEmpty = () => z.string().check(z.minLength(1));

export const FormConsentSchema = z.strictObject({
  /** Name of the checkbox in the posted form. */
  field: nonEmpty(),
  /** What the person agrees to, e.g. marketing_email, phone_sms, data_sharing. */
  purpose: nonEmpty(),
  /** The exact notice text shown beside the checkbox. */
  text: nonEmpty(),
  version: nonEmpty(),
  required: z._default(z.boolean(), false),
});

export const FormConfigSchema = z.strictObject({
  name: z.optional(nonEmpty()),
  /** Browser origins allowed to post (CORS). Empty: server-to-server only. */
  allowedOrigins: z._default(z.array(z.url()), []),
  /** Posted field name → canonical field. Unmapped fields are kept verbatim as answers. */
  fields: z._default(z.record(nonEmpty(), ContactFieldSchema), {}),
  /** Canonical fields that must be present and valid. */
  required: z._default(z.array(ContactFieldSchema), ['email']),
  consents: z._default(z.array(FormConsentSchema), []),
  /** A hidden field that only bots fill in. */
  honeypot: z.optional(nonEmpty()),
  /**
   * At most 256 KiB, like the platforms' webhooks: the raw submission is stored on its receipt (gzipped),
   * and from a bigger body it could outgrow a DynamoDB item (400 KB), so that every retry got a 5xx.
   */
  maxBodyBytes: z._default(z.number().check(z.int(), z.positive(), z.maximum(256 * 1024)), 64 * 1024),
  /** Reject unsigned posts (server-to-server integrations). Signed posts are always verified. */
  requireSignature: z._default(z.boolean(), false),
  /** Phone default country for this form; falls back to defaults.phoneCountry. */
  phoneCountry: z.optional(z.string().check(z.length(2))),
  isTest: z._default(z.boolean(), false),
  /**
   * A person on the suppression list (erased) may come back through this form when the new submission
   * grants consent; otherwise a suppressed person's submissions are dropped.
   */
  acceptFreshConsent: z._default(z.boolean(), false),
});
export type FormConfig = z.infer<typeof FormConfigSchema>;

/** Per-form overrides for a Meta Lead Ads form, keyed by the Meta form id. */
export const MetaFormConfigSchema = z.strictObject({
  /** Shown instead of the form's name on Meta. */
  name: z.optional(nonEmpty()),
  /** Meta field name (field_data[].name, i.e. the question key) → canonical field; beats the built-in names. */
  fields: z._default(z.record(nonEmpty(), ContactFieldSchema), {}),
  /** Custom-disclaimer checkbox key → consent purpose (default: the checkbox key itself). */
  consents: z._default(z.record(nonEmpty(), nonEmpty()), {}),
  /** Force the test flag on (true) or off (false); by default organic leads without an ad are tests. */
  isTest: z.optional(z.boolean()),
  /** As forms.{id}.acceptFreshConsent: a suppressed person who grants consent again is captured. */
  acceptFreshConsent: z._default(z.boolean(), false),
});
export type MetaFormConfig = z.infer<typeof MetaFormConfigSchema>;

/** The scheduled read-back of leads whose webhook never arrived (lib/sources/meta/reconcile.ts). */
export const MetaReconcileConfigSchema = z.strictObject({
  enabled: z._default(z.boolean(), true),
  /** How far back each run reads; above a day, so a run missed now and then loses nothing. */
  lookbackHours: z._default(z.number().check(z.int(), z.positive(), z.lte(24 * 90)), 72),
  /** Pages to reconcile besides the keys of META_PAGE_TOKENS (e.g. pages on META_PAGE_ACCESS_TOKEN). */
  pages: z._default(z.array(z.string().check(z.regex(/^\d{1,32}$/, 'Meta page ids are digits'))), []),
});

export const MetaConfigSchema = z.strictObject({
  forms: z._default(
    z.record(z.string().check(z.regex(/^\d{1,32}$/, 'Meta form ids are digits')), MetaFormConfigSchema),
    {},
  ),
  reconcile: z.prefault(MetaReconcileConfigSchema, {}),
});

/** The shortest receipt retention: the dedupe key must outlive every platform's retries (TikTok ~72 h). */
export const MIN_RECEIPT_RETENTION_DAYS = 4;

/** The longest the privacy audit trail may be kept (its listing reaches back no further). */
export const MAX_AUDIT_RETENTION_YEARS = 30;

export const PrivacyConfigSchema = z.strictObject({
  /**
   * Days a receipt (the raw submission as received, and the dedupe key) is kept after it arrived. The
   * consent proof hashes cover the raw submission, so export what you must keep before it expires.
   */
  receiptRetentionDays: z._default(
    z.number().check(z.int(), z.minimum(MIN_RECEIPT_RETENTION_DAYS), z.maximum(3650)),
    30,
  ),
  /**
   * Years the privacy audit trail (who exported, withdrew or erased whom, and when) is kept. It holds ids
   * only, so an erasure leaves it; long enough to answer for a request long after it was served.
   */
  auditRetentionYears: z._default(
    z.number().check(z.int(), z.minimum(1), z.maximum(MAX_AUDIT_RETENTION_YEARS)),
    6,
  ),
});
export type PrivacyConfig = z.infer<typeof PrivacyConfigSchema>;

export const AlertsConfigSchema = z.strictObject({
  /** Where test leads go: nowhere, or the test webhook (SLACK_TEST_WEBHOOK_URL). Never the main channel. */
  testLeads: z._default(z.enum(['skip', 'test-channel']), 'skip'),
  ...AlertsSlackFields,
});

/** API Gateway's default account-level ceilings per Region: no route can be throttled above them. */
export const MAX_ROUTE_RATE_PER_SECOND = 10_000;
export const MAX_ROUTE_BURST = 5_000;

/** A token bucket: `burst` requests at once, refilled at `ratePerSecond` (API Gateway's rate and burst). */
const routeThrottle = (ratePerSecond: number, burst: number) =>
  z.prefault(
    z.strictObject({
      ratePerSecond: z._default(
        z.number().check(z.positive(), z.maximum(MAX_ROUTE_RATE_PER_SECOND)),
        ratePerSecond,
      ),
      burst: z._default(z.number().check(z.int(), z.positive(), z.maximum(MAX_ROUTE_BURST)), burst),
    }),
    {},
  );

export const LimitsConfigSchema = z.strictObject({
  /**
   * Each route's own throttle (all clients together), by the group its route belongs to
   * (lib/routes.ts): API Gateway route settings on AWS, the same token buckets locally.
   */
  routes: z.prefault(
    z.strictObject({
      webhooks: routeThrottle(100, 200),
      forms: routeThrottle(20, 40),
      slack: routeThrottle(10, 20),
      admin: routeThrottle(10, 20),
    } satisfies Record<RouteLimitGroup, unknown>),
    {},
  ),
  /**
   * Form routes per client IP address: a token bucket locally; on AWS the optional WAF rule (CDK context
   * formsWaf) blocks a client past burst + perMinute requests in a minute.
   */
  formsPerClient: z.prefault(
    z.strictObject({
      perMinute: z._default(z.number().check(z.positive(), z.maximum(60_000)), 10),
      burst: z._default(z.number().check(z.int(), z.positive(), z.maximum(10_000)), 20),
    }),
    {},
  ),
  /**
   * Local server only: how many reverse proxies of yours stand in front of it. 0 (the default) keys
   * clients by the socket's address and ignores X-Forwarded-For, which any client can write; with N, the
   * client is the address the outermost of them saw (the Nth X-Forwarded-For entry from the right).
   */
  trustedProxyHops: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(10)), 0),
});
export type LimitsConfig = z.infer<typeof LimitsConfigSchema>;

export const HubConfigSchema = z
  .strictObject({
    defaults: z._default(z.strictObject({ phoneCountry: z._default(z.string().check(z.length(2)), 'US') }), {
      phoneCountry: 'US',
    }),
    forms: z._default(
      z.record(
        z.string().check(z.regex(FORM_ID, 'form ids are letters, digits, - and _ (at most 64)')),
        FormConfigSchema,
      ),
      {},
    ),
    scoring: z._default(ScoringConfigSchema, ScoringConfigSchema.parse({})),
    alerts: z.prefault(AlertsConfigSchema, {}),
    meta: z.prefault(MetaConfigSchema, {}),
    privacy: z.prefault(PrivacyConfigSchema, {}),
    limits: z.prefault(LimitsConfigSchema, {}),
  })
  .check(z.superRefine(checkAlertsConfig));
export type HubConfig = z.infer<typeof HubConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates a config object; the error names every bad key by its path, e.g. `forms.contact.required.0`. */
export function parseHubConfig(raw: unknown, origin = 'config'): HubConfig {
  const result = HubConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => {
    const path = i.path.map(String).join('.') || '(root)';
    const keys = i.code === 'unrecognized_keys' ? ` (${i.keys.join(', ')})` : '';
    return `  ${path}${keys}: ${i.message}`;
  });
  throw new ConfigError(`Invalid LeadHub config in ${origin}:\n${lines.join('\n')}`);
}

/**
 * Slack app mode needs a channel for every alert (see slackAppChannelProblems). The local hub checks it
 * at start when SLACK_BOT_TOKEN is set, `cdk synth` with `-c slackApp=true`; `because` says which.
 */
export function assertSlackAppChannels(
  config: HubConfig,
  options: { because: string; origin: string; testWebhook: boolean },
): void {
  const problems = slackAppChannelProblems(config.alerts, options);
  if (problems.length === 0) return;
  const lines = problems.map((p) => `  ${p.key}: ${p.message}`);
  throw new ConfigError(
    `${options.because}, but the LeadHub config in ${options.origin} leaves alerts without a Slack channel:\n${lines.join('\n')}`,
  );
}

export function loadHubConfig(path: string): HubConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read LeadHub config ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`LeadHub config ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseHubConfig(raw, path);
}

const optionalEnv = z.pipe(
  z.optional(z.string()),
  z.transform((v: string | undefined) => (v === '' ? undefined : v)),
);

/** Environment of both runtimes. Names here are a public interface. */
export const EnvSchema = z.object({
  PORT: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(65535)), 3000),
  LEADHUB_DATA_DIR: z._default(nonEmpty(), '.leadhub'),
  LEADHUB_DB: z._default(z.enum(['file', 'memory']), 'file'),
  LEADHUB_CONFIG: z._default(nonEmpty(), 'leadhub.config.json'),
  LEADHUB_ADMIN_TOKEN: optionalEnv,
  LEADHUB_PEPPER: optionalEnv,
  LEADHUB_FORM_SECRET: optionalEnv,
  SLACK_WEBHOOK_URL: z.pipe(optionalEnv, z.optional(z.url())),
  SLACK_TEST_WEBHOOK_URL: z.pipe(optionalEnv, z.optional(z.url())),
  /** Slack app bot token (xoxb-…): turns on the app mode (buttons, updates, SLA). Secret. */
  SLACK_BOT_TOKEN: optionalEnv,
  /** Slack app signing secret: verifies POST /slack/actions. Secret. */
  SLACK_SIGNING_SECRET: optionalEnv,
  /** Slack Web API base URL (a local stand-in in tests). */
  SLACK_API_URL: z.pipe(optionalEnv, z._default(z.url(), 'https://slack.com/api')),
  /** EventBridge Scheduler wiring of the SLA timers (set by the stack). */
  SLA_SCHEDULE_GROUP: optionalEnv,
  SLA_ESCALATOR_ARN: optionalEnv,
  SLA_SCHEDULER_ROLE_ARN: optionalEnv,
  /** The SQS queue the scheduler parks an SLA check in when it cannot deliver it (set by the stack). */
  SLA_DLQ_ARN: optionalEnv,
  /** Meta app secret: signs webhooks and keys appsecret_proof. Secret (Secrets Manager on AWS). */
  META_APP_SECRET: optionalEnv,
  /** The Verify Token typed into the Meta app's webhook settings. Secret. */
  META_VERIFY_TOKEN: optionalEnv,
  /** One page access token for every page. Secret. */
  META_PAGE_ACCESS_TOKEN: optionalEnv,
  /** JSON object of page id → page access token; wins over META_PAGE_ACCESS_TOKEN. Secret. */
  META_PAGE_TOKENS: optionalEnv,
  /** Graph API base URL (the sandbox's URL in the demo and tests). */
  META_GRAPH_URL: z.pipe(optionalEnv, z._default(z.url(), 'https://graph.facebook.com')),
  META_GRAPH_VERSION: z.pipe(
    optionalEnv,
    z._default(z.string().check(z.regex(/^v\d+\.\d+$/, 'a Graph API version such as v25.0')), 'v25.0'),
  ),
  /** LinkedIn app's Client Secret: answers the challenge and verifies X-LI-Signature. Secret. */
  LINKEDIN_CLIENT_SECRET: optionalEnv,
  /** Member access token with r_marketing_leadgen_automation (lead retrieval). Secret. */
  LINKEDIN_ACCESS_TOKEN: optionalEnv,
  /** LinkedIn API base URL (the sandbox's URL in the demo and tests). */
  LINKEDIN_API_URL: z.pipe(optionalEnv, z._default(z.url(), 'https://api.linkedin.com')),
  /** LinkedIn-Version header (YYYYMM); LinkedIn sunsets versions after about a year. */
  LINKEDIN_API_VERSION: z.pipe(
    optionalEnv,
    z._default(
      z.string().check(z.regex(/^20\d{2}(0[1-9]|1[0-2])$/, 'a LinkedIn API version such as 202611')),
      '202611',
    ),
  ),
  /** Unguessable path segment of POST /webhooks/tiktok/{token}. Secret. */
  TIKTOK_WEBHOOK_TOKEN: optionalEnv,
  /** TikTok app secret: checks X-Open-Signature when a delivery carries one. Secret. */
  TIKTOK_APP_SECRET: optionalEnv,
  /** Comma-separated advertiser ids whose leads are accepted; unset accepts any. */
  TIKTOK_ADVERTISER_IDS: z.pipe(
    optionalEnv,
    z.optional(
      z
        .string()
        .check(
          z.regex(/^\s*\d{1,32}\s*(,\s*\d{1,32}\s*)*$/, 'comma-separated TikTok advertiser ids (digits)'),
        ),
    ),
  ),
  /** The Webhook key typed into the Google Ads lead form; comes back as google_key. Secret. */
  GOOGLE_WEBHOOK_KEY: optionalEnv,
  DYNAMODB_ENDPOINT: z.pipe(optionalEnv, z.optional(z.url())),
  TABLE_NAME: z._default(nonEmpty(), 'leadhub'),
  CAPTURE_QUEUE_URL: optionalEnv,
  EVENT_BUS_NAME: z._default(nonEmpty(), 'leadhub'),
  /**
   * The function's Secrets Manager secrets (AWS only): a JSON object of secret (lib/adapters/secrets/
   * groups.ts) to ARN, null for a platform the deployment leaves out. ARNs only, never a value.
   */
  LEADHUB_SECRET_ARNS: optionalEnv,
  AWS_REGION: optionalEnv,
});
export type Env = z.infer<typeof EnvSchema>;

export function parseEnv(env: NodeJS.ProcessEnv = process.env): Env {
  const result = EnvSchema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
}
