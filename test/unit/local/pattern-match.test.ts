import { describe, expect, it } from 'vitest';
import { Patterns } from '../../../events/patterns.js';
import { assertValidPattern, matchesPattern } from '../../../lib/local/pattern-match.js';

const event = (detailType: string, detail: Record<string, unknown> = {}, source = 'leadhub') => ({
  version: '0',
  id: 'e1',
  'detail-type': detailType,
  source,
  account: '000000000000',
  time: '2026-11-30T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail,
});

describe('matchesPattern: the hub rules', () => {
  it('routes LeadCaptured to enrich and LeadScored to Slack, nothing else', () => {
    expect(matchesPattern(Patterns.leadCapturedToEnrich, event('LeadCaptured'))).toBe(true);
    expect(matchesPattern(Patterns.leadCapturedToEnrich, event('LeadScored'))).toBe(false);
    expect(matchesPattern(Patterns.leadScoredToSlack, event('LeadScored'))).toBe(true);
    expect(matchesPattern(Patterns.leadScoredToSlack, event('LeadCaptured'))).toBe(false);
  });

  it('sends connection failures, DestinationFailing included, to the alarm topic, and nothing else', () => {
    const pattern = Patterns.connectionFailuresToAlarms;
    expect(matchesPattern(pattern, event('SourceConnectionFailed', { reason: 'token_expired' }))).toBe(true);
    expect(matchesPattern(pattern, event('DestinationFailing'))).toBe(true);
    for (const other of ['LeadCaptured', 'LeadScored', 'LeadDeleted']) {
      expect(matchesPattern(pattern, event(other)), other).toBe(false);
    }
    expect(matchesPattern(pattern, event('SourceConnectionFailed', {}, 'someone-else'))).toBe(false);
    expect(() => assertValidPattern(pattern)).not.toThrow();
  });

  it('rejects another source and a missing or differently cased detail-type', () => {
    expect(matchesPattern(Patterns.leadCapturedToEnrich, event('LeadCaptured', {}, 'someone-else'))).toBe(
      false,
    );
    expect(matchesPattern(Patterns.leadCapturedToEnrich, event('leadcaptured'))).toBe(false);
    const { 'detail-type': _, ...noType } = event('LeadCaptured');
    expect(matchesPattern(Patterns.leadCapturedToEnrich, noType)).toBe(false);
  });
});

describe('matchesPattern: content filters', () => {
  const scored = event('LeadScored', {
    version: '1',
    score: 72,
    isTest: false,
    source: 'meta',
    attribution: { campaignId: 'c-123', adId: null },
    tags: ['vip', 'returning'],
  });

  it('matches nested detail fields with exact values of any JSON type', () => {
    expect(matchesPattern({ detail: { source: ['meta', 'linkedin'] } }, scored)).toBe(true);
    expect(matchesPattern({ detail: { source: ['tiktok'] } }, scored)).toBe(false);
    expect(matchesPattern({ detail: { isTest: [false] } }, scored)).toBe(true);
    expect(matchesPattern({ detail: { isTest: ['false'] } }, scored)).toBe(false);
    expect(matchesPattern({ detail: { score: [72] } }, scored)).toBe(true);
    expect(matchesPattern({ detail: { attribution: { campaignId: ['c-123'] } } }, scored)).toBe(true);
    expect(matchesPattern({ detail: { attribution: { adId: [null] } } }, scored)).toBe(true);
    expect(matchesPattern({ detail: { attribution: { formId: [null] } } }, scored)).toBe(false);
  });

  it('matches an array value when any element matches', () => {
    expect(matchesPattern({ detail: { tags: ['vip'] } }, scored)).toBe(true);
    expect(matchesPattern({ detail: { tags: ['cold'] } }, scored)).toBe(false);
  });

  it('supports prefix, suffix and equals-ignore-case', () => {
    expect(matchesPattern({ detail: { attribution: { campaignId: [{ prefix: 'c-' }] } } }, scored)).toBe(
      true,
    );
    expect(matchesPattern({ detail: { attribution: { campaignId: [{ prefix: 'x-' }] } } }, scored)).toBe(
      false,
    );
    expect(matchesPattern({ detail: { attribution: { campaignId: [{ suffix: '123' }] } } }, scored)).toBe(
      true,
    );
    expect(matchesPattern({ detail: { source: [{ 'equals-ignore-case': 'META' }] } }, scored)).toBe(true);
    expect(matchesPattern({ detail: { source: [{ prefix: { 'equals-ignore-case': 'ME' } }] } }, scored)).toBe(
      true,
    );
    // prefix never matches a number
    expect(matchesPattern({ detail: { score: [{ prefix: '7' }] } }, scored)).toBe(false);
  });

  it('supports exists true and false, on leaves only', () => {
    expect(matchesPattern({ detail: { score: [{ exists: true }] } }, scored)).toBe(true);
    expect(matchesPattern({ detail: { grade: [{ exists: true }] } }, scored)).toBe(false);
    expect(matchesPattern({ detail: { grade: [{ exists: false }] } }, scored)).toBe(true);
    expect(matchesPattern({ detail: { score: [{ exists: false }] } }, scored)).toBe(false);
    expect(matchesPattern({ detail: { attribution: [{ exists: true }] } }, scored)).toBe(false);
  });

  it('supports anything-but and numeric ranges', () => {
    expect(matchesPattern({ detail: { source: [{ 'anything-but': ['tiktok', 'google'] }] } }, scored)).toBe(
      true,
    );
    expect(matchesPattern({ detail: { source: [{ 'anything-but': 'meta' }] } }, scored)).toBe(false);
    expect(matchesPattern({ detail: { source: [{ 'anything-but': { prefix: 'me' } }] } }, scored)).toBe(
      false,
    );
    expect(matchesPattern({ detail: { grade: [{ 'anything-but': 'A' }] } }, scored)).toBe(false);
    expect(matchesPattern({ detail: { score: [{ numeric: ['>=', 70, '<', 80] }] } }, scored)).toBe(true);
    expect(matchesPattern({ detail: { score: [{ numeric: ['>', 72] }] } }, scored)).toBe(false);
    expect(matchesPattern({ detail: { source: [{ numeric: ['>', 0] }] } }, scored)).toBe(false);
  });

  it('supports wildcard', () => {
    expect(matchesPattern({ detail: { attribution: { campaignId: [{ wildcard: 'c-*3' }] } } }, scored)).toBe(
      true,
    );
    expect(matchesPattern({ detail: { attribution: { campaignId: [{ wildcard: 'c-*4' }] } } }, scored)).toBe(
      false,
    );
  });

  it('requires every field of the pattern to match', () => {
    expect(matchesPattern({ source: ['leadhub'], detail: { source: ['meta'], score: [1] } }, scored)).toBe(
      false,
    );
    expect(matchesPattern({ source: ['leadhub'], detail: { source: ['meta'], score: [72] } }, scored)).toBe(
      true,
    );
  });

  it('an empty list of values matches nothing', () => {
    expect(matchesPattern({ source: [] }, scored)).toBe(false);
  });
});

describe('assertValidPattern', () => {
  it('accepts the hub patterns', () => {
    for (const pattern of Object.values(Patterns)) expect(() => assertValidPattern(pattern)).not.toThrow();
  });

  it('rejects bare values and unknown operators', () => {
    expect(() => assertValidPattern({ source: 'leadhub' })).toThrow(/source/);
    expect(() => assertValidPattern({ detail: { score: [{ between: [1, 2] }] } })).toThrow(/detail\.score/);
    expect(() => assertValidPattern([])).toThrow(/expected an object/);
  });
});
