import { describe, expect, it } from 'vitest';
import { parseHubConfig } from '../../../lib/config.js';
import { contentHashId } from '../../../lib/sources/form/dedupe.js';
import { honeypotFilled, mapFormSubmission } from '../../../lib/sources/form/map.js';
import { parseFormBody } from '../../../lib/sources/form/parse.js';

const { forms } = parseHubConfig({
  forms: {
    f: {
      fields: { mail: 'email', org: 'company' },
      consents: [{ field: 'optin', purpose: 'marketing_email', text: 'News please', version: '3' }],
      honeypot: 'hp',
    },
  },
});
const form = forms.f as NonNullable<typeof forms.f>;
const meta = { formId: 'f', receivedAt: '2026-11-30T10:00:00.000Z', signed: false };

describe('parseFormBody', () => {
  it('flattens JSON scalars and lists to string lists', () => {
    const r = parseFormBody(
      'application/json; charset=utf-8',
      Buffer.from('{"a":1,"b":true,"c":["x","y"],"d":null}'),
    );
    expect(r).toEqual({ ok: true, fields: { a: ['1'], b: ['true'], c: ['x', 'y'] } });
  });
  it('merges name[] with name in urlencoded bodies', () => {
    const r = parseFormBody('application/x-www-form-urlencoded', Buffer.from('t%5B%5D=1&t=2&e=a%2Bb%40c.io'));
    expect(r).toEqual({ ok: true, fields: { t: ['1', '2'], e: ['a+b@c.io'] } });
  });
  it('refuses too many fields', () => {
    const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`f${i}`, 'x']));
    const r = parseFormBody('application/json', Buffer.from(JSON.stringify(many)));
    expect(r).toMatchObject({ ok: false, status: 400, error: 'too_many_fields' });
  });
  it('refuses a missing content type', () => {
    expect(parseFormBody(undefined, Buffer.from('{}'))).toMatchObject({ ok: false, status: 415 });
  });
});

describe('mapFormSubmission', () => {
  it('maps declared and canonically named fields, keeps the rest verbatim as answers', () => {
    const { lead, issues } = mapFormSubmission(
      form,
      { mail: ['a@b.io'], org: ['Acme'], jobTitle: ['CTO'], topics: ['x', 'y'], hp: [''], optin: ['on'] },
      meta,
    );
    expect(issues).toEqual([]);
    expect(lead).toMatchObject({
      email: 'a@b.io',
      company: 'Acme',
      jobTitle: 'CTO',
      answers: [{ key: 'topics', values: ['x', 'y'] }],
    });
    expect(lead.consents).toEqual([
      {
        purpose: 'marketing_email',
        key: 'optin',
        noticeText: 'News please',
        noticeVersion: '3',
        granted: true,
        method: 'web_checkbox',
        required: false,
      },
    ]);
  });

  it('records an unticked checkbox as declined, never drops it', () => {
    const { lead } = mapFormSubmission(form, { mail: ['a@b.io'] }, meta);
    expect(lead.consents?.[0]?.granted).toBe(false);
  });

  it('takes UTM parameters and click ids from fields or from the landing URL', () => {
    const { lead } = mapFormSubmission(
      form,
      {
        mail: ['a@b.io'],
        landing_url: ['https://site.example/p?utm_source=fb&utm_campaign=spring&fbclid=F1'],
        utm_medium: ['paid'],
        referrer: ['https://www.facebook.com/'],
      },
      meta,
    );
    expect(lead.attribution).toMatchObject({
      source: 'form',
      formId: 'f',
      utm: { source: 'fb', campaign: 'spring', medium: 'paid' },
      clickIds: { fbclid: 'F1' },
      landingUrl: 'https://site.example/p?utm_source=fb&utm_campaign=spring&fbclid=F1',
      referrer: 'https://www.facebook.com/',
    });
    expect(lead.answers).toEqual([]);
  });

  it('ignores a non-http landing URL', () => {
    const { lead } = mapFormSubmission(
      form,
      { mail: ['a@b.io'], landing_url: ['javascript:alert(1)'] },
      meta,
    );
    expect(lead.attribution.landingUrl).toBeUndefined();
  });

  it('lets only signed posts mark themselves as test leads', () => {
    expect(mapFormSubmission(form, { mail: ['a@b.io'], is_test: ['true'] }, meta).lead.isTest).toBe(false);
    expect(
      mapFormSubmission(form, { mail: ['a@b.io'], is_test: ['true'] }, { ...meta, signed: true }).lead.isTest,
    ).toBe(true);
  });

  it('flags an over-long value and a malformed submission id', () => {
    const { issues } = mapFormSubmission(
      form,
      { mail: ['a@b.io'], note: ['x'.repeat(10_001)], submission_id: ['bad id'] },
      meta,
    );
    expect(issues.map((i) => i.field).sort()).toEqual(['note', 'submission_id']);
  });

  it('hashes content stably, ignoring field order and the honeypot', () => {
    const a = contentHashId('f', { a: ['1'], b: ['2'], hp: [''] }, 'hp');
    const b = contentHashId('f', { b: ['2'], a: ['1'] }, 'hp');
    expect(a).toBe(b);
    expect(contentHashId('g', { a: ['1'], b: ['2'] }, 'hp')).not.toBe(a);
    expect(contentHashId('f', { a: ['1'], b: ['3'] }, 'hp')).not.toBe(a);
  });

  it('detects a filled honeypot only when it has a value', () => {
    expect(honeypotFilled(form, { hp: ['  '] })).toBe(false);
    expect(honeypotFilled(form, { hp: ['x'] })).toBe(true);
  });
});
