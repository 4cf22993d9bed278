import { describe, expect, it } from 'vitest';
import { type LeadScoredV2, LeadScoredV2Schema } from '../../../events/contracts.js';
import { consentRecordsFor } from '../../../lib/consent/ledger.js';
import { LEAD_LIMITS, MAX_EVENT_BYTES } from '../../../lib/lead/limits.js';
import type { RawLead } from '../../../lib/lead/model.js';
import { normaliseLead } from '../../../lib/lead/normalise.js';
import { InProcessBus, type LocalBusEvent } from '../../../lib/local/in-process-bus.js';
import { leadCapturedDetail } from '../../../lib/pipeline/capture.js';
import { enrichAndScore } from '../../../lib/pipeline/enrich-score.js';
import type { LeadStore, StoredLead } from '../../../lib/ports.js';
import {
  MAX_REASONS_BYTES,
  reasonsBytes,
  ScoringConfigSchema,
  type ScoringRule,
} from '../../../lib/scoring/config.js';
import { fixedClock, testConfig } from '../../support/fakes.js';

/**
 * The largest leads the limits allow, from every side: each shape goes over every limit it touches with
 * the characters that cost most in JSON (controls and lone surrogates escape to 6 bytes each, `"` and `\`
 * to 2, `€` takes 3), and every event they produce must stay under 256 KiB and be taken by the local bus.
 */
const L = LEAD_LIMITS;
const over = (chars: string, n: number) =>
  chars.repeat(Math.ceil((n + 1) / chars.length) * 2).slice(0, 2 * n + 2);
/** After cleaning: U+FFFD (3 bytes), € (3), " (2), \ (2); the control character goes. */
const DIRTY = '\ud800€"\\\u0001';
/** Needs no cleaning, 3 bytes a character in JSON. */
const HEAVY = '€'.repeat(L.textChars + 1);

const attributionTexts = (value: string) => ({
  formId: value,
  formName: value,
  pageId: value,
  adId: value,
  adName: value,
  adSetId: value,
  adSetName: value,
  campaignId: value,
  campaignName: value,
  platform: value,
  landingUrl: value,
  referrer: value,
});

const consents = (count: number, noticeText: string) =>
  Array.from({ length: count }, (_, i) => ({
    purpose: `purpose_${i}_${'p'.repeat(100)}`,
    key: `consent_${i}`,
    noticeText,
    noticeVersion: `v${i}-${'9'.repeat(100)}`,
    granted: i % 2 === 0,
    method: 'platform_checkbox' as const,
  }));

const base = {
  source: 'linkedin' as const,
  platformLeadId: 'urn:li:leadFormResponse:1234567890',
  platformCreatedAt: '2026-11-30T10:00:00.000Z',
  email: `${'e'.repeat(64)}@${'d'.repeat(60)}.example.com`,
  phone: '+14155552671',
  country: 'US',
};

const SHAPES: Record<string, RawLead> = {
  'every per-value limit, with characters that escape to 6 bytes': {
    ...base,
    fullName: over(DIRTY, L.textChars),
    firstName: over(DIRTY, L.textChars),
    lastName: over(DIRTY, L.textChars),
    company: over(DIRTY, L.textChars),
    jobTitle: over(DIRTY, L.textChars),
    city: over(DIRTY, L.textChars),
    postalCode: over(DIRTY, L.textChars),
    answers: Array.from({ length: 12 }, (_, i) => ({
      key: `${i}${over(DIRTY, L.keyChars)}`,
      label: over(DIRTY, L.labelChars),
      values: Array(12).fill(over(DIRTY, L.textChars)),
    })),
    attribution: {
      source: 'linkedin',
      ...attributionTexts(over(DIRTY, L.textChars)),
      utm: {
        source: over(DIRTY, L.textChars),
        medium: over(DIRTY, L.textChars),
        campaign: over(DIRTY, L.textChars),
        term: over(DIRTY, L.textChars),
        content: over(DIRTY, L.textChars),
      },
      clickIds: Object.fromEntries(
        Array.from({ length: L.clickIds + 1 }, (_, i) => [
          `${i}${over(DIRTY, L.keyChars)}`,
          over(DIRTY, L.textChars),
        ]),
      ),
    },
    consents: consents(L.consents + 1, over(DIRTY, 300)),
    context: { ip: over(DIRTY, L.textChars), userAgent: over(DIRTY, L.userAgentChars) },
  },
  'every count limit, each value at its longest': {
    ...base,
    fullName: HEAVY,
    company: HEAVY,
    jobTitle: HEAVY,
    answers: Array.from({ length: L.answers + 1 }, (_, i) => ({
      key: `${i}${'€'.repeat(L.keyChars)}`,
      label: '€'.repeat(L.labelChars + 1),
      values: Array(L.valuesPerAnswer + 1).fill(HEAVY),
    })),
    attribution: { source: 'linkedin', ...attributionTexts(HEAVY), utm: {} },
    consents: consents(L.consents + 1, HEAVY),
    context: { userAgent: HEAVY },
  },
  'the most answers and values, each tiny, under the longest keys': {
    ...base,
    answers: Array.from({ length: L.answers }, (_, i) => ({
      key: `${i}${'€'.repeat(L.keyChars - 4)}`,
      values: Array(L.valuesPerAnswer).fill('"'),
    })),
    attribution: { source: 'linkedin', utm: {} },
  },
};

/** A store holding one lead, for the scorer to read. */
const holding = (lead: StoredLead) =>
  ({ getLeadAt: async () => lead, saveScore: async () => undefined }) as unknown as LeadStore;
/** As many rules as the config admits, with reasons that escape to 2 bytes a character. */
function heaviestRules(): ScoringRule[] {
  const rule = (i: number, length: number) =>
    ({
      id: `rule-${i}`,
      category: 'completeness',
      points: -100,
      reason: '"'.repeat(length),
      when: { kind: 'emailType', types: ['corporate'] },
    }) as ScoringRule;
  const rules: ScoringRule[] = [];
  const fits = (next: ScoringRule) => reasonsBytes([...rules, next]) <= MAX_REASONS_BYTES;
  while (fits(rule(rules.length, 1_000))) rules.push(rule(rules.length, 1_000));
  let length = 1;
  while (fits(rule(rules.length, length + 1))) length++;
  rules.push(rule(rules.length, length));
  return rules;
}
const scoring = ScoringConfigSchema.parse({ rules: heaviestRules() });

describe('event size', () => {
  for (const [shape, raw] of Object.entries(SHAPES)) {
    it(`keeps every event under 256 KiB: ${shape}`, async () => {
      const normalised = normaliseLead(
        raw,
        { leadId: 'ld_big', receivedAt: '2026-11-30T10:00:01.000Z' },
        {
          defaultCountry: 'US',
        },
      );
      if (!normalised.ok) throw new Error(normalised.issues.map((i) => i.field).join(', '));
      expect(normalised.lead.truncated).toBe(true);
      expect(Buffer.byteLength(JSON.stringify(normalised.lead))).toBeLessThanOrEqual(L.leadBytes);

      const stored: StoredLead = {
        ...normalised.lead,
        contactId: 'ct_big',
        capturedAt: '2026-11-30T10:00:02.000Z',
      };
      const records = consentRecordsFor(
        stored,
        {
          receipt: { source: raw.source, platformLeadId: raw.platformLeadId },
          payload: { stands: 'for the receipt' },
        },
        stored.capturedAt,
      );
      const captured = leadCapturedDetail(stored, records);
      expect(captured.truncated).toBe(true);

      const delivered: LocalBusEvent[] = [];
      const bus = new InProcessBus();
      bus.addRule({
        name: 'all',
        pattern: { source: ['leadhub'] },
        target: { kind: 'function', invoke: async (event) => void delivered.push(event) },
      });
      await bus.publish([{ detailType: 'LeadCaptured', detail: captured }]);
      // The real scorer publishes LeadScored; the bound adds a reason for every configured rule.
      await enrichAndScore(
        { store: holding(stored), bus, clock: fixedClock(), config: testConfig() },
        captured,
      );
      const everyRule: LeadScoredV2 = LeadScoredV2Schema.parse({
        ...captured,
        score: 100,
        grade: 'A',
        stage: 'sql',
        breakdown: {
          fit: 0,
          intent: 0,
          negative: 0,
          completeness: 0,
          reasons: scoring.rules.map((r) => ({
            category: r.category,
            rule: r.id,
            points: r.points,
            reason: r.reason,
          })),
        },
        enrichment: { emailType: 'corporate', phoneCountry: 'US', phoneLineType: 'FIXED_LINE_OR_MOBILE' },
      });
      await bus.publish([{ detailType: 'LeadScored', detail: everyRule }]);
      await bus.drain();
      expect(reasonsBytes(scoring.rules)).toBeGreaterThan(MAX_REASONS_BYTES - 10);

      expect(bus.deadLetters()).toEqual([]);
      expect(delivered.map((e) => e['detail-type'])).toEqual(['LeadCaptured', 'LeadScored', 'LeadScored']);
      for (const event of delivered) {
        expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(MAX_EVENT_BYTES);
      }
    });
  }
});
