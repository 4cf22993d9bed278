import type { SecretName } from '../../ports.js';
import * as z from '../../zod.js';

/**
 * Which Secrets Manager secret holds each secret on AWS: one per integration, so a function can read
 * only the integrations its code uses (infra/function-access.ts grants each function its secrets, the
 * stack hands it their ARNs). The pepper is alone: every identity key depends on it, so its secret is
 * generated and locked against change. Locally every name is an environment variable instead.
 */
export const SECRET_GROUPS = {
  pepper: ['LEADHUB_PEPPER'],
  forms: ['LEADHUB_FORM_SECRET'],
  slack: ['SLACK_WEBHOOK_URL', 'SLACK_TEST_WEBHOOK_URL', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'],
  meta: ['META_APP_SECRET', 'META_VERIFY_TOKEN', 'META_PAGE_ACCESS_TOKEN', 'META_PAGE_TOKENS'],
  linkedin: ['LINKEDIN_CLIENT_SECRET', 'LINKEDIN_ACCESS_TOKEN'],
  tiktok: ['TIKTOK_WEBHOOK_TOKEN', 'TIKTOK_APP_SECRET'],
  google: ['GOOGLE_WEBHOOK_KEY'],
} as const satisfies Record<string, readonly SecretName[]>;

export type SecretGroup = keyof typeof SECRET_GROUPS;
export const SECRET_GROUP_NAMES = Object.keys(SECRET_GROUPS) as SecretGroup[];

/** The ad platforms' secrets: a deployment creates only those of the platforms it enables (`-c sources`). */
export const PLATFORM_SECRET_GROUPS = [
  'meta',
  'linkedin',
  'tiktok',
  'google',
] as const satisfies readonly SecretGroup[];
export type PlatformSecretGroup = (typeof PLATFORM_SECRET_GROUPS)[number];

/** Secrets that have no place on AWS: the admin routes are IAM-authorised there, not by a bearer token. */
export const LOCAL_ONLY_SECRETS = ['LEADHUB_ADMIN_TOKEN'] as const satisfies readonly SecretName[];

// Every SecretName is in a group or local only: a new name that is in neither fails the typecheck here.
type Placed = (typeof SECRET_GROUPS)[SecretGroup][number] | (typeof LOCAL_ONLY_SECRETS)[number];
const everyNamePlaced: [Exclude<SecretName, Placed>] extends [never] ? true : never = true;
void everyNamePlaced;

const GROUP_OF = new Map<SecretName, SecretGroup>(
  SECRET_GROUP_NAMES.flatMap((group) => SECRET_GROUPS[group].map((name) => [name, group] as const)),
);

/** The secret that holds a name on AWS; undefined for a local-only name. */
export function secretGroupOf(name: SecretName): SecretGroup | undefined {
  return GROUP_OF.get(name);
}

/**
 * A function's secrets, as the stack gives them in LEADHUB_SECRET_ARNS: each secret its code reads, by
 * ARN, or null for a platform this deployment does not enable (every name in it reads as unset).
 */
export type SecretArns = Partial<Record<SecretGroup, string | null>>;

const SecretArnsSchema = z.partialRecord(
  z.enum(SECRET_GROUP_NAMES),
  z.nullable(z.string().check(z.minLength(1))),
);

/** Parses LEADHUB_SECRET_ARNS; anything but a JSON object of known secrets fails, naming the variable. */
export function parseSecretArns(text: string | undefined): SecretArns {
  if (text === undefined) throw new Error('LEADHUB_SECRET_ARNS is not set');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('LEADHUB_SECRET_ARNS is not JSON');
  }
  const result = SecretArnsSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`LEADHUB_SECRET_ARNS is invalid: ${issues.join('; ')}`);
  }
  return result.data as SecretArns;
}
