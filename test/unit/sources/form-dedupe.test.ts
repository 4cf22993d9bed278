import { describe, expect, it } from 'vitest';
import { parseHubConfig } from '../../../lib/config.js';
import { conflictKey, contentFingerprint, contentHashId } from '../../../lib/sources/form/dedupe.js';
import { mapFormSubmission } from '../../../lib/sources/form/map.js';

const { forms } = parseHubConfig({ forms: { f: { fields: { mail: 'email' }, honeypot: 'hp' } } });
const form = forms.f as NonNullable<typeof forms.f>;
const meta = { formId: 'f', receivedAt: '2026-11-30T10:00:00.000Z', signed: false };
const keyOf = (fields: Record<string, string[]>, extra: { idempotencyKey?: string } = {}) =>
  mapFormSubmission(form, fields, { ...meta, ...extra }).lead.platformLeadId;

describe('web-form dedupe keys', () => {
  it('scopes a submission_id or Idempotency-Key to the form', () => {
    expect(keyOf({ mail: ['a@b.io'], submission_id: ['x-1'] })).toBe('s_f:x-1');
    expect(keyOf({ mail: ['a@b.io'] }, { idempotencyKey: 'x-1' })).toBe('s_f:x-1');
    expect(
      mapFormSubmission(form, { submission_id: ['x-1'] }, { ...meta, formId: 'g' }).lead.platformLeadId,
    ).toBe('s_g:x-1');
  });

  it('refuses an id holding the conflict separator', () => {
    const { issues } = mapFormSubmission(form, { mail: ['a@b.io'], submission_id: ['x~1'] }, meta);
    expect(issues.map((i) => i.field)).toEqual(['submission_id']);
  });

  it('keeps the content-hash keys of posts without an id as they were', () => {
    // Receipts already stored under these keys must still catch their retries.
    expect(contentHashId('contact', { email: ['a@b.co'], topic: ['x', 'y'], website: [''] }, 'website')).toBe(
      'h_2275bf0069534992a963eccdecf3adaa7ed1785a',
    );
  });

  it('fingerprints the posted fields, not their order, the id or the honeypot', () => {
    const base = contentFingerprint('pepper', { a: ['1'], b: ['2', '3'] }, 'hp');
    expect(base).toMatch(/^[0-9a-f]{32}$/);
    expect(
      contentFingerprint('pepper', { b: ['2', '3'], a: ['1'], submission_id: ['z'], hp: [''] }, 'hp'),
    ).toBe(base);
    expect(contentFingerprint('pepper', { a: ['1'], b: ['2', '4'] }, 'hp')).not.toBe(base);
    expect(contentFingerprint('pepper', { a: ['1'], b: ['2', '3'], c: [''] }, 'hp')).not.toBe(base);
    expect(contentFingerprint('other-pepper', { a: ['1'], b: ['2', '3'] }, 'hp')).not.toBe(base);
  });

  it('gives each content under a claimed id a key of its own', () => {
    expect(conflictKey('s_f:x-1', 'ab12')).toBe('s_f:x-1~ab12');
  });
});
