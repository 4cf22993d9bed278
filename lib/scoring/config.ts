import * as z from 'zod';
import { ContactFieldSchema } from '../lead/model.js';

export { type ContactField, ContactFieldSchema } from '../lead/model.js';

export const ScoreCategorySchema = z.enum(['fit', 'intent', 'negative', 'completeness']);

const words = z.array(z.string().min(1)).min(1);

const regexSource = z.string().refine(
  (source) => {
    try {
      new RegExp(source, 'iu');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a valid regular expression' },
);

/**
 * What a rule tests. Each kind is one small pure predicate in lib/scoring/score.ts; a rule list in the
 * config combines them, so tuning the score never needs a code change.
 */
export const RuleWhenSchema = z.discriminatedUnion('kind', [
  /** Job title contains one of the keywords as whole words (case-insensitive), e.g. "vp", "head of". */
  z.object({ kind: z.literal('jobTitle'), keywords: words }).strict(),
  /** The email domain class from enrichment. */
  z
    .object({
      kind: z.literal('emailType'),
      types: z.array(z.enum(['corporate', 'free', 'disposable'])).min(1),
    })
    .strict(),
  /** Every listed contact field is present. */
  z.object({ kind: z.literal('fieldsPresent'), fields: z.array(ContactFieldSchema).min(1) }).strict(),
  /** Contact country (or, failing that, the phone number's country) is one of these ISO alpha-2 codes. */
  z.object({ kind: z.literal('country'), countries: z.array(z.string().length(2)).min(1) }).strict(),
  /**
   * An answer whose key or label is one of `keys` has a value in `values`. Both sides are compared after
   * lower-casing and folding punctuation to `_`, so "What is your budget?" matches `what_is_your_budget`.
   */
  z
    .object({
      kind: z.literal('answer'),
      keys: words,
      values: words,
      match: z.enum(['equals', 'contains']).default('equals'),
    })
    .strict(),
  /** A paid placement: a lead-ads platform, an ad id, or a paid utm_medium. */
  z
    .object({
      kind: z.literal('paidCampaign'),
      sources: z.array(z.string().min(1)).default([]),
      utmMediums: z.array(z.string().min(1)).default([]),
      adIdPresent: z.boolean().default(true),
    })
    .strict(),
  /** A name or the email's local part matches one of the patterns (case-insensitive regular expressions). */
  z.object({ kind: z.literal('testLooking'), patterns: z.array(regexSource).min(1) }).strict(),
  /** The email's local part is a role address such as info@ or sales@. */
  z.object({ kind: z.literal('roleEmail'), localParts: words }).strict(),
  /** libphonenumber line type of the phone (MOBILE, FIXED_LINE, VOIP, ...). */
  z.object({ kind: z.literal('phoneLineType'), types: words }).strict(),
]);
export type RuleWhen = z.infer<typeof RuleWhenSchema>;

export const ScoringRuleSchema = z
  .object({
    /** Stable id, reported in the breakdown. */
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'rule ids are lower-case letters, digits, - and _'),
    category: ScoreCategorySchema,
    /** Points added when the rule fires; negative rules use negative points. */
    points: z.number().int().min(-100).max(100),
    /** Human reason shown in the breakdown and the Slack alert. */
    reason: z.string().min(1),
    /** Rules sharing a group are exclusive: only the first one (in list order) that fires counts. */
    group: z.string().min(1).optional(),
    when: RuleWhenSchema,
  })
  .strict();
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

/** Scoring rules and bands. Every value has a default taken from common lead-ops playbooks. */
export const ScoringConfigSchema = z
  .object({
    stages: z
      .array(z.object({ stage: z.string().min(1), minScore: z.number().int().min(0).max(100) }).strict())
      .refine(bandsStartAtZero, { message: 'one stage must start at minScore 0' })
      .default([
        { stage: 'nurture', minScore: 0 },
        { stage: 'sales_development', minScore: 51 },
        { stage: 'account_executive', minScore: 81 },
      ]),
    grades: z
      .array(z.object({ grade: z.string().min(1), minScore: z.number().int().min(0).max(100) }).strict())
      .refine(bandsStartAtZero, { message: 'one grade must start at minScore 0' })
      .default([
        { grade: 'D', minScore: 0 },
        { grade: 'C', minScore: 41 },
        { grade: 'B', minScore: 61 },
        { grade: 'A', minScore: 81 },
      ]),
    /** The full rule list; giving it in the config file replaces the defaults. */
    rules: z
      .array(ScoringRuleSchema)
      .refine((rules) => new Set(rules.map((r) => r.id)).size === rules.length, {
        message: 'rule ids must be unique',
      })
      .prefault(DEFAULT_RULES),
    /** Domains to add to the built-in free-mail and disposable lists (lower case, no @). */
    email: z
      .object({
        extraFreeDomains: z.array(z.string().min(1)).default([]),
        extraDisposableDomains: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type ScoringConfig = z.infer<typeof ScoringConfigSchema>;
export type EmailDomainOptions = ScoringConfig['email'];
