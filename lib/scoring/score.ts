import type { Enrichment, ScoreBreakdown, ScoreReason } from '../../events/contracts.js';
import type { Answer, Attribution, ContactField, Source } from '../lead/model.js';
import type { RuleWhen, ScoringConfig } from './config.js';

/** What the rules look at: the stored lead's person, answers and attribution. */
export interface ScoringInput {
  source: Source;
  contact: Partial<Record<ContactField, string>>;
  answers: readonly Answer[];
  attribution: Pick<Attribution, 'source' | 'adId' | 'utm'>;
}

export interface ScoreResult {
  score: number;
  grade: string;
  stage: string;
  breakdown: ScoreBreakdown;
}

interface RuleContext {
  input: ScoringInput;
  enrichment: Enrichment;
}

/**
 * Scores a lead 0-100 from the configured rule list. Pure: the same input, enrichment and config always
 * give the same result. Each rule that fires adds its points to its category and one reason; rules that
 * share a `group` are exclusive (the first that fires wins). The total is clamped to 0-100 and mapped to
 * a grade and a lifecycle stage through the configured bands.
 */
export function scoreLead(input: ScoringInput, enrichment: Enrichment, config: ScoringConfig): ScoreResult {
  const ctx: RuleContext = { input, enrichment };
  const totals = { fit: 0, intent: 0, negative: 0, completeness: 0 };
  const reasons: ScoreReason[] = [];
  const groupsFired = new Set<string>();
  for (const rule of config.rules) {
    if (rule.group && groupsFired.has(rule.group)) continue;
    if (!matches(rule.when, ctx)) continue;
    if (rule.group) groupsFired.add(rule.group);
    totals[rule.category] += rule.points;
    reasons.push({ category: rule.category, rule: rule.id, points: rule.points, reason: rule.reason });
  }
  const raw = totals.fit + totals.intent + totals.negative + totals.completeness;
  const score = clampScore(raw);
  return {
    score,
    grade: band(config.grades, score).grade,
    stage: band(config.stages, score).stage,
    breakdown: { ...totals, reasons },
  };
}

export function clampScore(raw: number): number {
  if (!Number.isFinite(raw)) return 0;
  return Math.min(100, Math.max(0, Math.round(raw)));
}

/** The band with the highest minScore not above the score (the config guarantees one starts at 0). */
export function band<T extends { minScore: number }>(bands: readonly T[], score: number): T {
  const sorted = [...bands].sort((a, b) => b.minScore - a.minScore);
  const hit = sorted.find((b) => score >= b.minScore) ?? sorted.at(-1);
  if (!hit) throw new Error('scoring config has no bands');
  return hit;
}

function matches(when: RuleWhen, { input, enrichment }: RuleContext): boolean {
  const { contact } = input;
  switch (when.kind) {
    case 'jobTitle': {
      const title = words(contact.jobTitle);
      return title !== '  ' && when.keywords.some((k) => title.includes(words(k)));
    }
    case 'emailType':
      return enrichment.emailType !== undefined && when.types.includes(enrichment.emailType);
    case 'fieldsPresent':
      return when.fields.every((f) => (contact[f]?.trim() ?? '') !== '');
    case 'country': {
      const country = (contact.country ?? enrichment.phoneCountry)?.toUpperCase();
      return country !== undefined && when.countries.some((c) => c.toUpperCase() === country);
    }
    case 'answer': {
      const keys = new Set(when.keys.map(fold));
      const wanted = when.values.map(fold);
      return input.answers.some((answer) => {
        const keyHit =
          keys.has(fold(answer.key)) || (answer.label !== undefined && keys.has(fold(answer.label)));
        if (!keyHit) return false;
        return answer.values.some((value) => {
          const v = fold(value);
          if (v === '') return false;
          return wanted.some((w) => (when.match === 'equals' ? v === w : `_${v}_`.includes(`_${w}_`)));
        });
      });
    }
    case 'paidCampaign': {
      const { attribution } = input;
      if (when.sources.includes(input.source) || when.sources.includes(attribution.source)) return true;
      if (when.adIdPresent && attribution.adId) return true;
      const medium = attribution.utm.medium ? fold(attribution.utm.medium) : undefined;
      return medium !== undefined && when.utmMediums.some((m) => fold(m) === medium);
    }
    case 'testLooking': {
      const values = [contact.fullName, contact.firstName, contact.lastName, emailLocalPart(contact.email)]
        .map((v) => v?.trim())
        .filter((v): v is string => Boolean(v));
      return when.patterns.some((p) => {
        const re = regex(p);
        return values.some((v) => re.test(v));
      });
    }
    case 'roleEmail': {
      // jane+ads@ is still jane; info+ads@ is still a role address.
      const local = emailLocalPart(contact.email)?.split('+')[0];
      return local !== undefined && when.localParts.some((l) => l.toLowerCase() === local);
    }
    case 'phoneLineType': {
      const type = enrichment.phoneLineType?.toUpperCase();
      return type !== undefined && when.types.some((t) => t.toUpperCase() === type);
    }
  }
}

/** The part before the last @, lower-cased. */
export function emailLocalPart(email: string | undefined): string | undefined {
  const at = email?.lastIndexOf('@') ?? -1;
  if (!email || at < 1) return undefined;
  return email.slice(0, at).trim().toLowerCase();
}

/** Lower case, punctuation folded to single spaces, padded so `includes(' vp ')` means a whole word. */
function words(text: string | undefined): string {
  const core = (text ?? '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return ` ${core} `;
}

/** Lower case with every run of non-alphanumerics folded to `_`: "$10,000+" → "10_000", "0-3 Months" → "0_3_months". */
export function fold(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
}

const regexCache = new Map<string, RegExp>();

function regex(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    re = new RegExp(source, 'iu');
    regexCache.set(source, re);
  }
  return re;
}
