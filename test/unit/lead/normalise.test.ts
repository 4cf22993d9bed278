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
