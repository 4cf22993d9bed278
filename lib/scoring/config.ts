import { ContactFieldSchema } from '../lead/model.js';
import * as z from '../zod.js';

export { type ContactField, ContactFieldSchema } from '../lead/model.js';

export const ScoreCategorySchema = z.enum(['fit', 'intent', 'negative', 'completeness']);

const nonEmpty = () => z.string().check(z.minLength(1));
const nonEmptyList = <T extends z.core.SomeType>(item: T) => z.array(item).check(z.minLength(1));

const words = nonEmptyList(nonEmpty());

const regexSource = z.string().check(
  z.refine(
    (source) => {
      try {
        new RegExp(source, 'iu');
        return true;
      } catch {
        return false;
      }
    },
    { message: 'is not a valid regular expression' },
  ),
);

/**
 * What a rule tests. Each kind is one small pure predicate in lib/scoring/score.ts; a rule list in the
 * config combines them, so tuning the score never needs a code change.
 */
export const RuleWhenSchema = z.discriminatedUnion('kind', [
  /** Job title contains one of the keywords as whole words (case-insensitive), e.g. "vp", "head of". */
  z.strictObject({ kind: z.literal('jobTitle'), keywords: words }),
  /** The email domain class from enrichment. */
  z.strictObject({
    kind: z.literal('emailType'),
    types: nonEmptyList(z.enum(['corporate', 'free', 'disposable'])),
  }),
  /** Every listed contact field is present. */
  z.strictObject({ kind: z.literal('fieldsPresent'), fields: nonEmptyList(ContactFieldSchema) }),
  /** Contact country (or, failing that, the phone number's country) is one of these ISO alpha-2 codes. */
  z.strictObject({ kind: z.literal('country'), countries: nonEmptyList(z.string().check(z.length(2))) }),
  /**
   * An answer whose key or label is one of `keys` has a value in `values`. Both sides are compared after
   * lower-casing and folding punctuation to `_`, so "What is your budget?" matches `what_is_your_budget`.
   */
  z.strictObject({
    kind: z.literal('answer'),
    keys: words,
    values: words,
    match: z._default(z.enum(['equals', 'contains']), 'equals'),
  }),
  /** A paid placement: a lead-ads platform, an ad id, or a paid utm_medium. */
  z.strictObject({
    kind: z.literal('paidCampaign'),
    sources: z._default(z.array(nonEmpty()), []),
    utmMediums: z._default(z.array(nonEmpty()), []),
    adIdPresent: z._default(z.boolean(), true),
  }),
  /** A name or the email's local part matches one of the patterns (case-insensitive regular expressions). */
  z.strictObject({ kind: z.literal('testLooking'), patterns: nonEmptyList(regexSource) }),
  /** The email's local part is a role address such as info@ or sales@. */
  z.strictObject({ kind: z.literal('roleEmail'), localParts: words }),
  /** libphonenumber line type of the phone (MOBILE, FIXED_LINE, VOIP, ...). */
  z.strictObject({ kind: z.literal('phoneLineType'), types: words }),
]);
export type RuleWhen = z.infer<typeof RuleWhenSchema>;

export const ScoringRuleSchema = z.strictObject({
  /** Stable id, reported in the breakdown. */
  id: z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]*$/, 'rule ids are lower-case letters, digits, - and _')),
  category: ScoreCategorySchema,
  /** Points added when the rule fires; negative rules use negative points. */
  points: z.number().check(z.int(), z.minimum(-100), z.maximum(100)),
  /** Human reason shown in the breakdown and the Slack alert. */
  reason: nonEmpty(),
  /** Rules sharing a group are exclusive: only the first one (in list order) that fires counts. */
  group: z.optional(nonEmpty()),
  when: RuleWhenSchema,
});
export type ScoringRule = z.infer<typeof ScoringRuleSchema>;
export type ScoringRuleInput = z.input<typeof ScoringRuleSchema>;

const AD_PLATFORMS = ['meta', 'linkedin', 'tiktok', 'google'];

/** Defaults drawn from common lead-ops playbooks; replace the list in the config file to tune them. */
export const DEFAULT_RULES: ScoringRuleInput[] = [
  // Fit: who they are.
  {
    id: 'seniority-executive',
    category: 'fit',
    group: 'seniority',
    points: 25,
    reason: 'Executive or owner job title',
    when: {
      kind: 'jobTitle',
      keywords: [
        'ceo',
        'cto',
        'cfo',
        'coo',
        'cmo',
        'cio',
        'ciso',
        'chief',
        'founder',
        'co-founder',
        'cofounder',
        'business owner',
        'president',
        'managing director',
        'managing partner',
      ],
    },
  },
  {
    id: 'seniority-vp-director',
    category: 'fit',
    group: 'seniority',
    points: 20,
    reason: 'VP, head or director job title',
    when: { kind: 'jobTitle', keywords: ['vp', 'svp', 'evp', 'vice president', 'head of', 'director'] },
  },
  {
    id: 'seniority-manager',
    category: 'fit',
    group: 'seniority',
    points: 10,
    reason: 'Manager job title',
    when: { kind: 'jobTitle', keywords: ['manager', 'team lead', 'principal'] },
  },
  {
    id: 'corporate-email',
    category: 'fit',
    points: 15,
    reason: 'Corporate email domain',
    when: { kind: 'emailType', types: ['corporate'] },
  },
  {
    id: 'company-present',
    category: 'fit',
    points: 10,
    reason: 'Company name given',
    when: { kind: 'fieldsPresent', fields: ['company'] },
  },
  {
    id: 'target-country',
    category: 'fit',
    points: 10,
    reason: 'In a target country',
    when: { kind: 'country', countries: ['US', 'CA', 'GB', 'IE', 'AU', 'NZ', 'DE', 'FR', 'NL'] },
  },
  // Intent: what they asked for.
  {
    id: 'budget',
    category: 'intent',
    points: 20,
    reason: 'Stated a qualifying budget',
    when: {
      kind: 'answer',
      keys: ['budget', 'monthly_budget', 'annual_budget', 'what_is_your_budget'],
      values: [
        '10k_50k',
        '50k_100k',
        '100k',
        '100k_plus',
        'over_10k',
        'over_50k',
        'over_100k',
        'more_than_10k',
      ],
    },
  },
  {
    id: 'timeline',
    category: 'intent',
    points: 15,
    reason: 'Buying soon',
    when: {
      kind: 'answer',
      keys: [
        'timeline',
        'purchase_timeline',
        'timeframe',
        'when_do_you_plan_to_buy',
        'when_do_you_want_to_start',
      ],
      values: [
        'immediately',
        'asap',
        'now',
        'this_week',
        'this_month',
        'within_a_month',
        'within_1_month',
        '0_3_months',
        '1_3_months',
        'this_quarter',
      ],
    },
  },
  {
    id: 'demo-request',
    category: 'intent',
    points: 15,
    reason: 'Asked for a demo, pricing or a quote',
    when: {
      kind: 'answer',
      keys: ['interest', 'inquiry_type', 'enquiry_type', 'reason', 'how_can_we_help', 'request'],
      values: ['demo', 'pricing', 'quote', 'talk_to_sales', 'contact_sales', 'buy'],
      match: 'contains',
    },
  },
  {
    id: 'paid-campaign',
    category: 'intent',
    points: 10,
    reason: 'Came from a paid campaign',
    when: {
      kind: 'paidCampaign',
      sources: AD_PLATFORMS,
      utmMediums: ['cpc', 'ppc', 'paid', 'paid_social', 'paidsocial', 'paid-social', 'display', 'cpm'],
      adIdPresent: true,
    },
  },
  // Negative: signs of a bad or fake lead.
  {
    id: 'disposable-email',
    category: 'negative',
    points: -40,
    reason: 'Disposable email address',
    when: { kind: 'emailType', types: ['disposable'] },
  },
  {
    id: 'free-email',
    category: 'negative',
    points: -10,
    reason: 'Free mail address',
    when: { kind: 'emailType', types: ['free'] },
  },
  {
    id: 'test-looking',
    category: 'negative',
    points: -50,
    reason: 'Looks like a test or fake entry',
    when: {
      kind: 'testLooking',
      patterns: [
        '^test(ing|er|s)?\\d*$',
        '\\b(asdf\\w*|qwerty\\w*|dummy|fake|sample|lorem|ipsum|foobar|xxx+)\\b',
        '^(.)\\1{2,}$',
        '^(john|jane) doe$',
        '^(mickey mouse|donald duck)$',
      ],
    },
  },
  {
    id: 'role-email',
    category: 'negative',
    points: -15,
    reason: 'Role address, not a person',
    when: {
      kind: 'roleEmail',
      localParts: [
        'info',
        'sales',
        'admin',
        'contact',
        'hello',
        'support',
        'office',
        'team',
        'marketing',
        'enquiries',
        'inquiries',
        'noreply',
        'no-reply',
        'webmaster',
        'billing',
        'accounts',
        'hr',
        'jobs',
      ],
    },
  },
  // Completeness: how much we can act on.
  {
    id: 'has-phone',
    category: 'completeness',
    points: 5,
    reason: 'Phone number given',
    when: { kind: 'fieldsPresent', fields: ['phone'] },
  },
  {
    id: 'has-name',
    category: 'completeness',
    points: 5,
    reason: 'Full name given',
    when: { kind: 'fieldsPresent', fields: ['fullName'] },
  },
  {
    id: 'has-job-title',
    category: 'completeness',
    points: 5,
    reason: 'Job title given',
    when: { kind: 'fieldsPresent', fields: ['jobTitle'] },
  },
];

const bandsStartAtZero = (bands: readonly { minScore: number }[]) => bands.some((b) => b.minScore === 0);

const minScore = z.number().check(z.int(), z.minimum(0), z.maximum(100));

/** Scoring rules and bands. Every value has a default taken from common lead-ops playbooks. */
/**
 * LeadScored carries a reason for each rule that fired, beside a lead of at most LEAD_LIMITS.leadBytes
 * (128 KiB): with every rule's reason at most 64 KiB, the event stays under 256 KiB whatever fires.
 */
export const MAX_REASONS_BYTES = 64 * 1024;

/** The breakdown's reasons if every rule fired, as JSON bytes. */
export function reasonsBytes(rules: readonly ScoringRule[]): number {
  const reasons = rules.map((r) => ({
    category: r.category,
    rule: r.id,
    points: r.points,
    reason: r.reason,
  }));
  return Buffer.byteLength(JSON.stringify(reasons), 'utf8');
}

export const ScoringConfigSchema = z.strictObject({
  stages: z._default(
    z
      .array(z.strictObject({ stage: nonEmpty(), minScore }))
      .check(z.refine(bandsStartAtZero, { message: 'one stage must start at minScore 0' })),
    [
      { stage: 'nurture', minScore: 0 },
      { stage: 'sales_development', minScore: 51 },
      { stage: 'account_executive', minScore: 81 },
    ],
  ),
  grades: z._default(
    z
      .array(z.strictObject({ grade: nonEmpty(), minScore }))
      .check(z.refine(bandsStartAtZero, { message: 'one grade must start at minScore 0' })),
    [
      { grade: 'D', minScore: 0 },
      { grade: 'C', minScore: 41 },
      { grade: 'B', minScore: 61 },
      { grade: 'A', minScore: 81 },
    ],
  ),
  /** The full rule list; giving it in the config file replaces the defaults. */
  rules: z.prefault(
    z.array(ScoringRuleSchema).check(
      z.refine((rules) => new Set(rules.map((r) => r.id)).size === rules.length, {
        message: 'rule ids must be unique',
      }),
      z.refine((rules) => reasonsBytes(rules) <= MAX_REASONS_BYTES, {
        message: `the rules' reasons must take at most ${MAX_REASONS_BYTES} bytes as JSON`,
      }),
    ),
    DEFAULT_RULES,
  ),
  /** Domains to add to the built-in free-mail and disposable lists (lower case, no @). */
  email: z.prefault(
    z.strictObject({
      extraFreeDomains: z._default(z.array(nonEmpty()), []),
      extraDisposableDomains: z._default(z.array(nonEmpty()), []),
    }),
    {},
  ),
});
export type ScoringConfig = z.infer<typeof ScoringConfigSchema>;
export type EmailDomainOptions = ScoringConfig['email'];
