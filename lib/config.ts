import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ContactFieldSchema } from './lead/model.js';
import { ScoringConfigSchema } from './scoring/config.js';

const FORM_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export const FormConsentSchema = z
  .object({
    /** Name of the checkbox in the posted form. */
    field: z.string().min(1),
    /** What the person agrees to, e.g. marketing_email, phone_sms, data_sharing. */
    purpose: z.string().min(1),
    /** The exact notice text shown beside the checkbox. */
    text: z.string().min(1),
    version: z.string().min(1),
    required: z.boolean().default(false),
  })
  .strict();

export const FormConfigSchema = z
  .object({
    name: z.string().min(1).optional(),
    /** Browser origins allowed to post (CORS). Empty: server-to-server only. */
    allowedOrigins: z.array(z.url()).default([]),
    /** Posted field name → canonical field. Unmapped fields are kept verbatim as answers. */
    fields: z.record(z.string().min(1), ContactFieldSchema).default({}),
    /** Canonical fields that must be present and valid. */
    required: z.array(ContactFieldSchema).default(['email']),
    consents: z.array(FormConsentSchema).default([]),
    /** A hidden field that only bots fill in. */
    honeypot: z.string().min(1).optional(),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .max(1024 * 1024)
      .default(64 * 1024),
    /** Reject unsigned posts (server-to-server integrations). Signed posts are always verified. */
    requireSignature: z.boolean().default(false),
    /** Phone default country for this form; falls back to defaults.phoneCountry. */
    phoneCountry: z.string().length(2).optional(),
    isTest: z.boolean().default(false),
  })
  .strict();
export type FormConfig = z.infer<typeof FormConfigSchema>;

export const AlertsConfigSchema = z
  .object({
    /** Where test leads go: nowhere, or the test webhook (SLACK_TEST_WEBHOOK_URL). Never the main channel. */
    testLeads: z.enum(['skip', 'test-channel']).default('skip'),
  })
  .strict();

export const HubConfigSchema = z
  .object({
    defaults: z
      .object({ phoneCountry: z.string().length(2).default('US') })
      .strict()
      .default({ phoneCountry: 'US' }),
    forms: z
      .record(
        z.string().regex(FORM_ID, 'form ids are letters, digits, - and _ (at most 64)'),
        FormConfigSchema,
      )
      .default({}),
    scoring: ScoringConfigSchema.default(ScoringConfigSchema.parse({})),
    alerts: AlertsConfigSchema.default({ testLeads: 'skip' }),
  })
  .strict();
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

const optionalEnv = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/** Environment of both runtimes. Names here are a public interface. */
export const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LEADHUB_DATA_DIR: z.string().min(1).default('.leadhub'),
  LEADHUB_DB: z.enum(['file', 'memory']).default('file'),
  LEADHUB_CONFIG: z.string().min(1).default('leadhub.config.json'),
  LEADHUB_ADMIN_TOKEN: optionalEnv,
  LEADHUB_PEPPER: optionalEnv,
  LEADHUB_FORM_SECRET: optionalEnv,
  SLACK_WEBHOOK_URL: optionalEnv.pipe(z.url().optional()),
  SLACK_TEST_WEBHOOK_URL: optionalEnv.pipe(z.url().optional()),
  DYNAMODB_ENDPOINT: optionalEnv.pipe(z.url().optional()),
  TABLE_NAME: z.string().min(1).default('leadhub'),
  CAPTURE_QUEUE_URL: optionalEnv,
  EVENT_BUS_NAME: z.string().min(1).default('leadhub'),
  /** ARN of the Secrets Manager secret holding the hub's secrets (AWS only). */
  LEADHUB_SECRET_ARN: optionalEnv,
  AWS_REGION: optionalEnv,
});
export type Env = z.infer<typeof EnvSchema>;

export function parseEnv(env: NodeJS.ProcessEnv = process.env): Env {
  const result = EnvSchema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
}
