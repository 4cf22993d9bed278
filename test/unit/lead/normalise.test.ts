import { describe, expect, it } from 'vitest';
import type { RawLead } from '../../../lib/lead/model.js';
import {
  normaliseCountry,
  normaliseEmail,
  normaliseLead,
  normalisePhone,
  splitName,
  tidyName,
} from '../../../lib/lead/normalise.js';

const ids = { leadId: 'ld_x', receivedAt: '2026-11-30T10:00:01.000Z' };
const raw = (overrides: Partial<RawLead> = {}): RawLead => ({
  source: 'form',
  platformLeadId: 'p1',
  platformCreatedAt: '2026-11-30T10:00:00.000Z',
  attribution: { source: 'form', formId: 'contact' },
  ...overrides,
});

describe('normaliseEmail', () => {
  it('trims and lower-cases', () => {
    expect(normaliseEmail('  Jane.Doe@Example.COM ')).toEqual({ value: 'jane.doe@example.com' });
  });
  it('flags an invalid address and ignores an empty one', () => {
    expect(normaliseEmail('jane@')).toEqual({ issue: 'is not a valid email address' });
    expect(normaliseEmail('   ')).toEqual({});
  });
});

describe('normalisePhone', () => {
  it('formats national numbers with the default country to E.164', () => {
    expect(normalisePhone('(415) 555-2671', 'US')).toEqual({ value: '+14155552671', country: 'US' });
    expect(normalisePhone('020 7946 0958', 'GB')).toEqual({ value: '+442079460958', country: 'GB' });
  });
  it('keeps an explicit country code whatever the default', () => {
    expect(normalisePhone('+49 30 901820', 'US').value).toBe('+4930901820');
  });
  it('rejects what is not a phone number', () => {
    expect(normalisePhone('12', 'US').issue).toBe('is not a valid phone number');
    expect(normalisePhone('call me', 'US').issue).toBe('is not a valid phone number');
  });
  it("accepts a number of its country's form even in a range not assigned (enrichment flags those)", () => {
    // French 070x numbers have the form of a mobile number, but no line type has that range yet.
    expect(normalisePhone('07 09 37 50 58', 'FR')).toEqual({ value: '+33709375058', country: 'FR' });
    expect(normalisePhone('+1 415 123 4567', 'US').issue).toBe('is not a valid phone number');
  });
});

describe('names', () => {
  it('tidies names written in one case and keeps mixed case', () => {
    expect(tidyName('  JANE   O’NEIL-SMITH ')).toBe('Jane O’Neil-Smith');
    expect(tidyName('mcdonald')).toBe('Mcdonald');
    expect(tidyName('McDonald')).toBe('McDonald');
  });
  it('splits a full name when no parts are given', () => {
    expect(splitName('jane van der berg', undefined, undefined)).toEqual({
      fullName: 'Jane Van Der Berg',
      firstName: 'Jane',
      lastName: 'Van Der Berg',
    });
    expect(splitName(undefined, 'Ana', 'Lopez')).toEqual({
      fullName: 'Ana Lopez',
      firstName: 'Ana',
      lastName: 'Lopez',
    });
    expect(splitName('Cher', undefined, undefined)).toEqual({
      fullName: 'Cher',
      firstName: 'Cher',
      lastName: undefined,
    });
  });
});

describe('normaliseCountry', () => {
  it('accepts codes and English names', () => {
    expect(normaliseCountry('de')).toEqual({ value: 'DE' });
    expect(normaliseCountry('Germany')).toEqual({ value: 'DE' });
    expect(normaliseCountry('United Kingdom')).toEqual({ value: 'GB' });
    expect(normaliseCountry('USA')).toEqual({ value: 'US' });
  });
  it('rejects unknown countries', () => {
    expect(normaliseCountry('Atlantis').issue).toBeDefined();
    expect(normaliseCountry('XX').issue).toBeDefined();
  });
});

describe('normaliseLead', () => {
  it('produces the canonical lead', () => {
    const result = normaliseLead(
      raw({
        email: ' Jane@Acme.io ',
        phone: '415 555 2671',
        fullName: 'JANE DOE',
        company: ' Acme  Inc ',
        jobTitle: 'VP Sales',
        answers: [{ key: 'interests', values: ['CRM', 'Email'] }],
        consents: [
          {
            purpose: 'marketing_email',
            key: 'opt',
            noticeText: 'n',
            noticeVersion: 'v1',
            granted: true,
            method: 'web_checkbox',
          },
        ],
      }),
      ids,
      { defaultCountry: 'US' },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.lead).toMatchObject({
      leadId: 'ld_x',
      email: 'jane@acme.io',
      phone: '+14155552671',
      phoneCountry: 'US',
      country: 'US',
      firstName: 'Jane',
      lastName: 'Doe',
      company: 'Acme Inc',
      isTest: false,
      answers: [{ key: 'interests', values: ['CRM', 'Email'] }],
    });
    expect(result.lead.consents[0]).toMatchObject({ granted: true, required: false });
  });

  it('lists every bad field at once', () => {
    const result = normaliseLead(raw({ email: 'nope', phone: 'x', country: 'Narnia' }), ids, {
      defaultCountry: 'US',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.field).sort()).toEqual(['country', 'email', 'phone']);
  });

  it('enforces required fields, without repeating a field already flagged invalid', () => {
    const result = normaliseLead(raw({ email: 'bad' }), ids, {
      defaultCountry: 'US',
      required: ['email', 'company'],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      { field: 'email', message: 'is not a valid email address' },
      { field: 'company', message: 'is required' },
    ]);
  });

  it('rejects a raw lead of the wrong shape', () => {
    const result = normaliseLead({ ...raw(), platformLeadId: '' }, ids, { defaultCountry: 'US' });
    expect(result.ok).toBe(false);
  });
});

describe('normaliseLead: clean text', () => {
  const bidi = '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069';
  const controls = '\u0000\u0001\u0007\u000b\u001b\u007f\u0085\u009f';

  it('strips control, bidi override/isolate and BOM characters from every text value', () => {
    const result = normaliseLead(
      raw({
        fullName: `Jane${bidi} Doe${controls}`,
        company: `\ufeffAcme${controls} Ltd`,
        answers: [
          { key: `bud${bidi}get`, label: `Budget${controls}?`, values: [`10k${bidi}+`, `gnp.exe${bidi}`] },
        ],
        attribution: {
          source: 'tiktok',
          campaignName: `Spring${bidi}`,
          utm: { source: `news${controls}letter` },
          clickIds: { [`gclid${bidi}`]: `abc${controls}` },
        },
        context: { userAgent: `Mozilla${controls}/5.0`, ip: `203.0.113.9${bidi}` },
      }),
      ids,
      { defaultCountry: 'US' },
    );
    if (!result.ok) throw new Error('expected a lead');
    const { lead } = result;
    expect(lead.fullName).toBe('Jane Doe');
    expect(lead.company).toBe('Acme Ltd');
    expect(lead.answers).toEqual([{ key: 'budget', label: 'Budget?', values: ['10k+', 'gnp.exe'] }]);
    expect(lead.attribution.campaignName).toBe('Spring');
    expect(lead.attribution.utm.source).toBe('newsletter');
    expect(lead.attribution.clickIds).toEqual({ gclid: 'abc' });
    expect(lead.context).toEqual({ userAgent: 'Mozilla/5.0', ip: '203.0.113.9' });
    expect(lead.truncated).toBeUndefined();
    expect(result.cuts).toEqual([]);
  });

  it('keeps line breaks and tabs in answers, right-to-left marks, and replaces lone surrogates', () => {
    const result = normaliseLead(
      raw({
        answers: [{ key: 'notes', values: ['line one\r\nline two\rthree\tend', 'שלום\u200f!', 'x\ud800y'] }],
      }),
      ids,
      { defaultCountry: 'US' },
    );
    if (!result.ok) throw new Error('expected a lead');
    expect(result.lead.answers[0]?.values).toEqual([
      'line one\nline two\nthree\tend',
      'שלום\u200f!',
      'x\ufffdy',
    ]);
  });

  it('does not change the consent notice the ledger hashes', () => {
    const noticeText = 'I agree.\n\u202eReversed\u202c';
    const consent = {
      purpose: 'terms',
      key: 'terms',
      noticeText,
      noticeVersion: 'v1',
      granted: true,
      method: 'web_checkbox' as const,
    };
    const result = normaliseLead(raw({ consents: [consent] }), ids, { defaultCountry: 'US' });
    if (!result.ok) throw new Error('expected a lead');
    expect(result.lead.consents[0]?.noticeText).toBe(noticeText);
  });

  it('refuses an email address longer than 254 characters', () => {
    const email = `${'a'.repeat(64)}@${`${'b'.repeat(60)}.`.repeat(4)}com`;
    expect(email.length).toBeGreaterThan(254);
    expect(normaliseEmail(email)).toEqual({ issue: 'is longer than 254 characters' });
  });
});

describe('normaliseLead: limits on a platform lead', () => {
  const platform = (overrides: Partial<RawLead>): RawLead =>
    raw({ source: 'tiktok', attribution: { source: 'tiktok', formId: '7040000000000000001' }, ...overrides });

  it('cuts every value, count and name over its limit, flags the lead and says what was cut (no values)', () => {
    const result = normaliseLead(
      platform({
        company: 'c'.repeat(12_000),
        answers: [
          { key: 'k'.repeat(300), label: 'l'.repeat(2_000), values: ['v'.repeat(10_500)] },
          { key: 'options', values: Array.from({ length: 150 }, (_, i) => `o${i}`) },
          ...Array.from({ length: 250 }, (_, i) => ({ key: `q${i}`, values: ['yes'] })),
        ],
        attribution: {
          source: 'tiktok',
          campaignName: 'n'.repeat(10_001),
          clickIds: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`id${i}`, 'x'])),
        },
        context: { userAgent: 'u'.repeat(600) },
      }),
      ids,
      { defaultCountry: 'US' },
    );
    if (!result.ok) throw new Error('expected a lead');
    const { lead, cuts } = result;
    expect(lead.truncated).toBe(true);
    expect(lead.company).toHaveLength(10_000);
    expect(lead.answers).toHaveLength(200);
    expect(lead.answers[0]?.key).toHaveLength(200);
    expect(lead.answers[0]?.label).toHaveLength(1_000);
    expect(lead.answers[0]?.values[0]).toHaveLength(10_000);
    expect(lead.answers[1]?.values).toHaveLength(100);
    expect(lead.attribution.campaignName).toHaveLength(10_000);
    expect(Object.keys(lead.attribution.clickIds ?? {})).toHaveLength(20);
    expect(lead.context.userAgent).toHaveLength(512);
    expect(cuts.map((c) => c.message)).toEqual(
      expect.arrayContaining([
        'is longer than 10000 characters',
        'has more than 200 answers',
        'has more than 20 click ids',
        'has more than 100 values',
        'is longer than 200 characters',
        'is longer than 1000 characters',
        'is longer than 512 characters',
      ]),
    );
    expect(JSON.stringify(cuts)).not.toMatch(/ccc|vvv|nnn|uuu/);
  });

  it('keeps a lead within 128 KiB as JSON, cutting the longest texts first so short answers stay whole', () => {
    const long = '€"'.repeat(5_000);
    const result = normaliseLead(
      platform({
        answers: [
          { key: 'short', values: ['a short answer'] },
          ...Array.from({ length: 30 }, (_, i) => ({ key: `q${i}`, values: Array(10).fill(long) })),
        ],
      }),
      ids,
      { defaultCountry: 'US' },
    );
    if (!result.ok) throw new Error('expected a lead');
    const { lead, cuts } = result;
    expect(Buffer.byteLength(JSON.stringify(lead))).toBeLessThanOrEqual(128 * 1024);
    expect(lead.truncated).toBe(true);
    expect(lead.answers[0]).toEqual({ key: 'short', values: ['a short answer'] });
    expect(cuts).toContainEqual({ field: 'q0', message: 'makes the lead larger than 131072 bytes' });
  });

  it('drops the last answers when cutting every text to 100 characters is not enough', () => {
    const result = normaliseLead(
      platform({
        answers: Array.from({ length: 200 }, (_, i) => ({
          key: `q${i}`,
          values: Array(100).fill('€'.repeat(500)),
        })),
      }),
      ids,
      { defaultCountry: 'US' },
    );
    if (!result.ok) throw new Error('expected a lead');
    const { lead } = result;
    expect(Buffer.byteLength(JSON.stringify(lead))).toBeLessThanOrEqual(128 * 1024);
    expect(lead.answers.length).toBeGreaterThan(0);
    expect(lead.answers.length).toBeLessThan(200);
    expect(lead.answers.every((a) => a.values.every((v) => v.length === 100))).toBe(true);
  });

  it('leaves a lead within the limits as it is, unflagged', () => {
    const result = normaliseLead(platform({ answers: [{ key: 'budget', values: ['10k+'] }] }), ids, {
      defaultCountry: 'US',
    });
    if (!result.ok) throw new Error('expected a lead');
    expect(result.lead.truncated).toBeUndefined();
    expect(result.lead.answers).toEqual([{ key: 'budget', values: ['10k+'] }]);
    expect(result.cuts).toEqual([]);
  });
});
