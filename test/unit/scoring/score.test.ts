import { describe, expect, it } from 'vitest';
import type { Enrichment } from '../../../events/contracts.js';
import { parseHubConfig } from '../../../lib/config.js';
import {
  type ScoringConfig,
  ScoringConfigSchema,
  type ScoringRuleInput,
} from '../../../lib/scoring/config.js';
import { enrichContact } from '../../../lib/scoring/enrich.js';
import { band, clampScore, fold, scoreLead } from '../../../lib/scoring/score.js';
import { scoringInput } from './fixtures.js';

const defaults = ScoringConfigSchema.parse({});

/** A config with only the given rules (default bands). */
function only(...rules: ScoringRuleInput[]): ScoringConfig {
  return ScoringConfigSchema.parse({ rules });
}

function fired(lead = scoringInput(), config = defaults, enrichment?: Enrichment): string[] {
  const e = enrichment ?? enrichContact(lead.contact, config.email);
  return scoreLead(lead, e, config).breakdown.reasons.map((r) => r.rule);
}

describe('default config', () => {
  it('parses from nothing, and the hub config carries it', () => {
    expect(defaults.rules.length).toBeGreaterThan(10);
    expect(parseHubConfig({}).scoring).toEqual(defaults);
    expect(defaults.email).toEqual({ extraFreeDomains: [], extraDisposableDomains: [] });
  });

  it('gives a senior corporate lead with intent a high score and a strong lead from a free address less', () => {
    const strong = scoringInput({
      source: 'linkedin',
      contact: {
        email: 'jane@acme-widgets.com',
        fullName: 'Jane Smith',
        company: 'Acme Widgets',
        jobTitle: 'VP Marketing',
        country: 'US',
        phone: '+14155550123',
      },
      answers: [
        { key: 'budget', values: ['50k-100k'] },
        { key: 'timeline', label: 'Timeline', values: ['This month'] },
      ],
    });
    const result = scoreLead(strong, enrichContact(strong.contact), defaults);
    expect(result.score).toBe(100);
    expect(result.grade).toBe('A');
    expect(result.stage).toBe('account_executive');

    const weak = scoringInput({ contact: { email: 'someone@gmail.com' } });
    const weakResult = scoreLead(weak, enrichContact(weak.contact), defaults);
    expect(weakResult.score).toBe(0);
    expect(weakResult.grade).toBe('D');
    expect(weakResult.stage).toBe('nurture');
    expect(weakResult.breakdown.reasons.map((r) => r.rule)).toEqual(['free-email']);
  });
});

describe('rule kinds', () => {
  it('jobTitle matches whole words, and a group counts only its first firing rule', () => {
    const lead = (jobTitle: string) => scoringInput({ contact: { jobTitle } });
    expect(fired(lead('Co-Founder & CEO'))).toContain('seniority-executive');
    expect(fired(lead('VP, Sales'))).toContain('seniority-vp-director');
    expect(fired(lead('Head of Growth'))).toContain('seniority-vp-director');
    expect(fired(lead('Marketing Manager'))).toContain('seniority-manager');
    // "vp" inside another word is not a VP.
    expect(fired(lead('MVP Developer')).filter((r) => r.startsWith('seniority'))).toEqual([]);
    const both = fired(lead('CEO and Director'));
    expect(both.filter((r) => r.startsWith('seniority'))).toEqual(['seniority-executive']);
  });

  it('emailType uses the enrichment', () => {
    expect(fired(scoringInput({ contact: { email: 'a.b@acme-widgets.com' } }))).toContain('corporate-email');
    expect(fired(scoringInput({ contact: { email: 'a.b@mailinator.com' } }))).toContain('disposable-email');
    const r = fired(scoringInput({ contact: { email: 'a.b@yahoo.com' } }));
    expect(r).toContain('free-email');
    expect(r).not.toContain('corporate-email');
  });

  it('fieldsPresent needs every field non-blank', () => {
    const config = only({
      id: 'complete',
      category: 'completeness',
      points: 7,
      reason: 'complete',
      when: { kind: 'fieldsPresent', fields: ['company', 'phone'] },
    });
    expect(fired(scoringInput({ contact: { company: 'Acme', phone: '+14155550123' } }), config)).toEqual([
      'complete',
    ]);
    expect(fired(scoringInput({ contact: { company: 'Acme' } }), config)).toEqual([]);
    expect(fired(scoringInput({ contact: { company: '  ', phone: '+14155550123' } }), config)).toEqual([]);
  });

  it('country uses the contact country, else the phone country', () => {
    const config = only({
      id: 'uk',
      category: 'fit',
      points: 10,
      reason: 'UK',
      when: { kind: 'country', countries: ['gb'] },
    });
    expect(fired(scoringInput({ contact: { country: 'GB' } }), config)).toEqual(['uk']);
    expect(fired(scoringInput({ contact: { phone: '+447400123456' } }), config)).toEqual(['uk']);
    expect(fired(scoringInput({ contact: { country: 'US', phone: '+447400123456' } }), config)).toEqual([]);
    expect(fired(scoringInput({ contact: {} }), config)).toEqual([]);
  });

  it('answer matches keys or labels and values after folding; contains matches whole tokens', () => {
    const equals = only({
      id: 'budget',
      category: 'intent',
      points: 20,
      reason: 'budget',
      when: { kind: 'answer', keys: ['what_is_your_budget'], values: ['10k_50k'] },
    });
    const withAnswer = (key: string, values: string[], label?: string) =>
      scoringInput({ answers: [{ key, values, ...(label ? { label } : {}) }] });
    expect(fired(withAnswer('what_is_your_budget', ['$10k-50k']), equals)).toEqual(['budget']);
    expect(fired(withAnswer('q_123', ['10K - 50K'], 'What is your budget?'), equals)).toEqual(['budget']);
    expect(fired(withAnswer('what_is_your_budget', ['under 10k']), equals)).toEqual([]);
    expect(fired(withAnswer('other_question', ['10k-50k']), equals)).toEqual([]);
    // Multi-select: any value counts.
    expect(fired(withAnswer('what_is_your_budget', ['unsure', '10k-50k']), equals)).toEqual(['budget']);

    const contains = only({
      id: 'demo',
      category: 'intent',
      points: 15,
      reason: 'demo',
      when: { kind: 'answer', keys: ['interest'], values: ['demo'], match: 'contains' },
    });
    expect(fired(withAnswer('interest', ['I would like a Demo, please']), contains)).toEqual(['demo']);
    expect(fired(withAnswer('interest', ['Democracy']), contains)).toEqual([]);
  });

  it('paidCampaign fires for lead-ads sources, an ad id or a paid utm_medium, not for organic form posts', () => {
    expect(fired(scoringInput({ source: 'meta' }))).toContain('paid-campaign');
    expect(fired(scoringInput({ attribution: { utm: { medium: 'CPC' } } }))).toContain('paid-campaign');
    expect(fired(scoringInput({ attribution: { utm: { medium: 'Paid Social' } } }))).toContain(
      'paid-campaign',
    );
    expect(fired(scoringInput({ attribution: { adId: '120210000000000001' } }))).toContain('paid-campaign');
    expect(fired(scoringInput({ attribution: { utm: { medium: 'email' } } }))).not.toContain('paid-campaign');
    expect(fired(scoringInput())).not.toContain('paid-campaign');
  });

  it('testLooking flags test names and test email local parts, not real names', () => {
    const is = (overrides: Parameters<typeof scoringInput>[0]) =>
      fired(scoringInput(overrides)).includes('test-looking');
    expect(is({ contact: { fullName: 'Test', email: 'jane@acme-widgets.com' } })).toBe(true);
    expect(is({ contact: { firstName: 'asdf', lastName: 'Smith' } })).toBe(true);
    expect(is({ contact: { fullName: 'John Doe' } })).toBe(true);
    expect(is({ contact: { fullName: 'aaaa' } })).toBe(true);
    expect(is({ contact: { email: 'test123@acme-widgets.com' } })).toBe(true);
    expect(is({ contact: { fullName: 'Jane Testa', email: 'jane@contest.io' } })).toBe(false);
    expect(is({})).toBe(false);
  });

  it('roleEmail flags role addresses, with or without a +tag', () => {
    expect(fired(scoringInput({ contact: { email: 'info@acme-widgets.com' } }))).toContain('role-email');
    expect(fired(scoringInput({ contact: { email: 'Sales+ads@acme-widgets.com' } }))).toContain('role-email');
    expect(fired(scoringInput({ contact: { email: 'information.desk@acme.com' } }))).not.toContain(
      'role-email',
    );
  });

  it('phoneLineType uses the enrichment line type', () => {
    const config = only({
      id: 'mobile',
      category: 'completeness',
      points: 5,
      reason: 'mobile',
      when: { kind: 'phoneLineType', types: ['mobile'] },
    });
    expect(fired(scoringInput({ contact: { phone: '+447400123456' } }), config)).toEqual(['mobile']);
    expect(fired(scoringInput({ contact: { phone: '+442079460000' } }), config)).toEqual([]);
  });

  it('phoneLineType can match a number enrichment found in no assigned range', () => {
    const config = only({
      id: 'unassigned-phone',
      category: 'negative',
      points: -10,
      reason: 'Phone number in no assigned range',
      when: { kind: 'phoneLineType', types: ['invalid'] },
    });
    expect(fired(scoringInput({ contact: { phone: '+33709375058' } }), config)).toEqual(['unassigned-phone']);
    expect(fired(scoringInput({ contact: { phone: '+33612345678' } }), config)).toEqual([]);
  });
});

describe('score, clamping and breakdown', () => {
  it('sums each category, gives one reason per fired rule and clamps to 0-100', () => {
    const config = only(
      {
        id: 'a',
        category: 'fit',
        points: 80,
        reason: 'A',
        when: { kind: 'fieldsPresent', fields: ['email'] },
      },
      {
        id: 'b',
        category: 'intent',
        points: 50,
        reason: 'B',
        when: { kind: 'fieldsPresent', fields: ['email'] },
      },
      {
        id: 'c',
        category: 'negative',
        points: -10,
        reason: 'C',
        when: { kind: 'fieldsPresent', fields: ['email'] },
      },
      {
        id: 'd',
        category: 'completeness',
        points: 5,
        reason: 'D',
        when: { kind: 'fieldsPresent', fields: ['phone'] },
      },
    );
    const result = scoreLead(scoringInput(), {}, config);
    expect(result.score).toBe(100);
    expect(result.breakdown).toEqual({
      fit: 80,
      intent: 50,
      negative: -10,
      completeness: 0,
      reasons: [
        { category: 'fit', rule: 'a', points: 80, reason: 'A' },
        { category: 'intent', rule: 'b', points: 50, reason: 'B' },
        { category: 'negative', rule: 'c', points: -10, reason: 'C' },
      ],
    });

    const negative = only({
      id: 'n',
      category: 'negative',
      points: -60,
      reason: 'N',
      when: { kind: 'fieldsPresent', fields: ['email'] },
    });
    const low = scoreLead(scoringInput(), {}, negative);
    expect(low.score).toBe(0);
    expect(low.breakdown.negative).toBe(-60);
  });

  it('clampScore rounds, clamps and survives non-finite input', () => {
    expect(clampScore(-5)).toBe(0);
    expect(clampScore(150)).toBe(100);
    expect(clampScore(42.6)).toBe(43);
    expect(clampScore(Number.NaN)).toBe(0);
  });

  it('an empty rule list scores 0 with an empty breakdown', () => {
    const r = scoreLead(scoringInput(), {}, ScoringConfigSchema.parse({ rules: [] }));
    expect(r).toEqual({
      score: 0,
      grade: 'D',
      stage: 'nurture',
      breakdown: { fit: 0, intent: 0, negative: 0, completeness: 0, reasons: [] },
    });
  });
});

describe('bands', () => {
  const at = (points: number, config: ScoringConfig = defaults) =>
    scoreLead(
      scoringInput(),
      {},
      {
        ...config,
        rules: [
          {
            id: 'x',
            category: 'fit',
            points,
            reason: 'x',
            when: { kind: 'fieldsPresent', fields: ['email'] },
          },
        ],
      },
    );

  it.each([
    [0, 'D', 'nurture'],
    [40, 'D', 'nurture'],
    [41, 'C', 'nurture'],
    [50, 'C', 'nurture'],
    [51, 'C', 'sales_development'],
    [60, 'C', 'sales_development'],
    [61, 'B', 'sales_development'],
    [80, 'B', 'sales_development'],
    [81, 'A', 'account_executive'],
    [100, 'A', 'account_executive'],
  ])('score %i → grade %s, stage %s', (points, grade, stage) => {
    const r = at(points);
    expect(r.score).toBe(points);
    expect(r.grade).toBe(grade);
    expect(r.stage).toBe(stage);
  });

  it('band() does not depend on the order bands are listed in', () => {
    const bands = [
      { name: 'hi', minScore: 70 },
      { name: 'lo', minScore: 0 },
      { name: 'mid', minScore: 30 },
    ];
    expect(band(bands, 29).name).toBe('lo');
    expect(band(bands, 30).name).toBe('mid');
    expect(band(bands, 70).name).toBe('hi');
  });

  it('uses configured stages and grades', () => {
    const config = ScoringConfigSchema.parse({
      stages: [
        { stage: 'cold', minScore: 0 },
        { stage: 'hot', minScore: 30 },
      ],
      grades: [
        { grade: 'low', minScore: 0 },
        { grade: 'high', minScore: 30 },
      ],
    });
    expect(at(29, config)).toMatchObject({ stage: 'cold', grade: 'low' });
    expect(at(30, config)).toMatchObject({ stage: 'hot', grade: 'high' });
  });
});

describe('config overrides and validation', () => {
  it('a rules list replaces the defaults; point changes take effect', () => {
    const config = ScoringConfigSchema.parse({
      rules: [
        {
          id: 'corp',
          category: 'fit',
          points: 55,
          reason: 'Corp',
          when: { kind: 'emailType', types: ['corporate'] },
        },
      ],
    });
    const r = scoreLead(scoringInput(), enrichContact(scoringInput().contact), config);
    expect(r.score).toBe(55);
    expect(r.breakdown.reasons).toEqual([{ category: 'fit', rule: 'corp', points: 55, reason: 'Corp' }]);
  });

  it('fills rule defaults (answer match, paidCampaign lists)', () => {
    const config = ScoringConfigSchema.parse({
      rules: [
        {
          id: 'a',
          category: 'intent',
          points: 1,
          reason: 'a',
          when: { kind: 'answer', keys: ['k'], values: ['v'] },
        },
        { id: 'p', category: 'intent', points: 1, reason: 'p', when: { kind: 'paidCampaign' } },
      ],
    });
    expect(config.rules[0]?.when).toMatchObject({ match: 'equals' });
    expect(config.rules[1]?.when).toEqual({
      kind: 'paidCampaign',
      sources: [],
      utmMediums: [],
      adIdPresent: true,
    });
  });

  it('refuses rules whose reasons together could not fit on a LeadScored event beside the largest lead', () => {
    const rule = (i: number) => ({
      id: `r${i}`,
      category: 'fit',
      points: 1,
      reason: 'r'.repeat(1_000),
      when: { kind: 'emailType', types: ['corporate'] },
    });
    expect(() =>
      parseHubConfig({ scoring: { rules: Array.from({ length: 60 }, (_, i) => rule(i)) } }),
    ).not.toThrow();
    expect(() =>
      parseHubConfig({ scoring: { rules: Array.from({ length: 70 }, (_, i) => rule(i)) } }),
    ).toThrow(/scoring\.rules: the rules' reasons must take at most 65536 bytes/);
  });

  it('rejects bad settings with the path of the problem', () => {
    const bad = (scoring: unknown) => () => parseHubConfig({ scoring });
    expect(
      bad({ rules: [{ id: 'x', category: 'fit', points: 1, reason: 'x', when: { kind: 'nope' } }] }),
    ).toThrow(/scoring\.rules\.0\.when/);
    expect(
      bad({
        rules: [
          {
            id: 'x',
            category: 'fit',
            points: 1,
            reason: 'x',
            when: { kind: 'testLooking', patterns: ['('] },
          },
        ],
      }),
    ).toThrow(/not a valid regular expression/);
    const rule = {
      id: 'x',
      category: 'fit',
      points: 1,
      reason: 'x',
      when: { kind: 'fieldsPresent', fields: ['email'] },
    };
    expect(bad({ rules: [rule, rule] })).toThrow(/rule ids must be unique/);
    expect(bad({ rules: [{ ...rule, points: 101 }] })).toThrow(/scoring\.rules\.0\.points/);
    expect(bad({ stages: [{ stage: 'x', minScore: 10 }] })).toThrow(/one stage must start at minScore 0/);
    expect(bad({ grades: [{ grade: 'x', minScore: 5 }] })).toThrow(/one grade must start at minScore 0/);
    expect(bad({ rules: [{ ...rule, when: { kind: 'fieldsPresent', fields: ['shoeSize'] } }] })).toThrow(
      /scoring\.rules\.0\.when\.fields\.0/,
    );
    expect(bad({ unknownKey: 1 })).toThrow(/unknownKey/);
  });

  it('extra email domains from the config change the enrichment and so the score', () => {
    const config = ScoringConfigSchema.parse({ email: { extraDisposableDomains: ['acme-widgets.com'] } });
    const lead = scoringInput();
    expect(fired(lead, config)).toContain('disposable-email');
    expect(fired(lead, defaults)).toContain('corporate-email');
  });
});

describe('fold', () => {
  it('lower-cases and folds punctuation runs to underscores', () => {
    expect(fold('$10,000+')).toBe('10_000');
    expect(fold('0-3 Months')).toBe('0_3_months');
    expect(fold('  What is your budget?  ')).toBe('what_is_your_budget');
    expect(fold('Größe')).toBe('größe');
  });
});
