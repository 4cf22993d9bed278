import { describe, expect, it } from 'vitest';
import {
  classifyEmailDomain,
  emailDomain,
  enrichContact,
  enrichmentClasses,
  enrichmentWithDomains,
} from '../../../lib/scoring/enrich.js';
import { INVALID_PHONE_LINE_TYPE, phoneFacts } from '../../../lib/scoring/phone.js';

describe('enrichContact: email', () => {
  it('classifies free mail and gives no company domain', () => {
    expect(enrichContact({ email: 'jane@gmail.com' })).toEqual({
      emailDomain: 'gmail.com',
      emailType: 'free',
    });
    expect(enrichContact({ email: 'Jane@Outlook.COM' }).emailType).toBe('free');
  });

  it('classifies disposable domains before free ones, including their subdomains', () => {
    expect(enrichContact({ email: 'x@mailinator.com' })).toEqual({
      emailDomain: 'mailinator.com',
      emailType: 'disposable',
    });
    expect(enrichContact({ email: 'x@yopmail.com' }).emailType).toBe('disposable');
    expect(classifyEmailDomain('inbox.guerrillamail.com')).toBe('disposable');
  });

  it('treats any other domain as corporate and keeps it as the company domain', () => {
    expect(enrichContact({ email: 'jane.smith@acme-widgets.com' })).toEqual({
      emailDomain: 'acme-widgets.com',
      emailType: 'corporate',
      companyDomain: 'acme-widgets.com',
    });
  });

  it('honours extra free and disposable domains from the config', () => {
    const options = { extraFreeDomains: ['Freebie.example'], extraDisposableDomains: ['burner.example'] };
    expect(classifyEmailDomain('freebie.example', options)).toBe('free');
    expect(classifyEmailDomain('a.burner.example', options)).toBe('disposable');
    expect(classifyEmailDomain('freebie.example')).toBe('corporate');
  });

  it('adds nothing without a usable email', () => {
    expect(enrichContact({})).toEqual({});
    expect(enrichContact({ email: 'not-an-email' })).toEqual({});
    expect(enrichContact({ email: '@acme.com' })).toEqual({});
    expect(emailDomain('jane@localhost')).toBeUndefined();
  });
});

describe('enrichContact: phone', () => {
  it('gives country and line type of an E.164 mobile', () => {
    expect(enrichContact({ phone: '+447400123456' })).toEqual({
      phoneCountry: 'GB',
      phoneLineType: 'MOBILE',
    });
  });

  it('tells a fixed line from a mobile', () => {
    expect(enrichContact({ phone: '+442079460000' })).toEqual({
      phoneCountry: 'GB',
      phoneLineType: 'FIXED_LINE',
    });
  });

  it('combines with email enrichment', () => {
    const e = enrichContact({ email: 'a@gmail.com', phone: '+4915123456789' });
    expect(e).toMatchObject({ emailType: 'free', phoneCountry: 'DE', phoneLineType: 'MOBILE' });
  });

  it('does not guess for a number without a country code or one that is not a number', () => {
    expect(enrichContact({ phone: '07911 123456' })).toEqual({});
    expect(enrichContact({ phone: '+1' })).toEqual({});
  });

  it('flags a number that ingest accepted but that lies in no assigned range', () => {
    expect(enrichContact({ phone: '+33709375058' })).toEqual({ phoneLineType: INVALID_PHONE_LINE_TYPE });
    expect(phoneFacts('+33709375058')).toEqual({ lineType: 'INVALID' });
    expect(phoneFacts('+33612345678')).toEqual({ country: 'FR', lineType: 'MOBILE' });
  });
});

describe('the enrichment LeadScored carries', () => {
  const contacts = [
    { email: 'Jane@Acme-Widgets.com', phone: '+447400123456' },
    { email: 'jane@gmail.com' },
    { email: 'x@mailinator.com', phone: '+14155552671' },
    { phone: '+33612345678' },
    { email: 'not-an-address' },
    {},
  ];

  it('keeps the classes only: no email or company domain', () => {
    for (const contact of contacts) {
      const classes = enrichmentClasses(enrichContact(contact));
      expect(
        Object.keys(classes).filter((k) => !['emailType', 'phoneCountry', 'phoneLineType'].includes(k)),
      ).toEqual([]);
    }
    expect(enrichmentClasses(enrichContact(contacts[0] ?? {}))).toEqual({
      emailType: 'corporate',
      phoneCountry: 'GB',
      phoneLineType: 'MOBILE',
    });
  });

  it('gives the whole enrichment back with the stored email, as the card shows it', () => {
    for (const contact of contacts) {
      const whole = enrichContact(contact);
      expect(enrichmentWithDomains(enrichmentClasses(whole), contact.email), JSON.stringify(contact)).toEqual(
        whole,
      );
    }
  });
});
