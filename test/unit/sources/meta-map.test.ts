import { describe, expect, it } from 'vitest';
import { type MetaFormConfig, MetaFormConfigSchema } from '../../../lib/config.js';
import { normaliseLead } from '../../../lib/lead/normalise.js';
import {
  type MetaForm,
  MetaFormSchema,
  type MetaLead,
  MetaLeadSchema,
} from '../../../lib/sources/meta/fetch.js';
import { mapMetaLead } from '../../../lib/sources/meta/map.js';
import { type MetaLeadNotification, parseLosslessJson } from '../../../lib/sources/meta/parse.js';

const notification: MetaLeadNotification = {
  leadgenId: '1023456789012345',
  pageId: '153125381133',
  formId: '12312312312',
  adId: '120211234567890123',
  createdTime: '2026-11-20T08:49:10.000Z',
};

/** The documented lead response, parsed the way the client parses it. */
const lead = (overrides: Record<string, unknown> = {}): MetaLead =>
  MetaLeadSchema.parse({
    ...(parseLosslessJson(`{
      "id": "1023456789012345", "created_time": "2026-11-20T08:49:14+0000",
      "ad_id": "120211234567890123", "ad_name": "Roofing - Nov",
      "adset_id": "120211234567890000", "adset_name": "Homeowners 35-65",
      "campaign_id": "120211234567880000", "campaign_name": "Q4 Leads",
      "form_id": "12312312312", "is_organic": false, "platform": "ig",
      "field_data": [
        { "name": "full_name",    "values": ["Joe Example"] },
        { "name": "email",        "values": ["joe@example.com"] },
        { "name": "phone_number", "values": ["+14155552671"] },
        { "name": "which_service_do_you_need?", "values": ["roof_repair"] }
      ],
      "custom_disclaimer_responses": [
        { "checkbox_key": "optional_1", "is_checked": "1" },
        { "checkbox_key": "optional_2", "is_checked": "" }
      ]
    }`) as object),
    ...overrides,
  });

const form = (overrides: Record<string, unknown> = {}): MetaForm =>
  MetaFormSchema.parse({
    id: '12312312312',
    name: 'Roofing quote',
    legal_content: {
      id: '5550001',
      custom_disclaimer: {
        title: 'Terms',
        body: { text: 'Roofing Co contacts you about your quote.' },
        checkboxes: [
          { id: '1', key: 'optional_1', text: 'Email me offers', is_required: false },
          { id: '2', key: 'optional_2', text: 'Text me offers', is_required: false },
          { id: '3', key: 'terms', text: 'I accept the terms', is_required: true },
        ],
      },
    },
    questions: [
      { key: 'full_name', label: 'Full name', type: 'FULL_NAME' },
      {
        key: 'which_service_do_you_need?',
        label: 'Which service do you need?',
        type: 'CUSTOM',
        options: [
          { key: 'roof_repair', value: 'Roof repair' },
          { key: 'new_roof', value: 'New roof' },
          { key: 'gutters', value: 'Gutters' },
        ],
      },
    ],
    ...overrides,
  });

/** `null`: no form could be read. */
const map = (l: MetaLead, f: MetaForm | null = form(), overrides?: Partial<MetaFormConfig>) =>
  mapMetaLead(
    { notification, lead: l, ...(f ? { form: f } : {}), receivedAt: '2026-11-20T08:49:20.000Z' },
    {
      defaultCountry: 'US',
      ...(overrides ? { overrides: MetaFormConfigSchema.parse(overrides) } : {}),
    },
  );

const fields = (pairs: Record<string, string[]>) =>
  Object.entries(pairs).map(([name, values]) => ({ name, values }));

describe('mapMetaLead: fields', () => {
  it('maps every standard field name onto the canonical lead', () => {
    const raw = map(
      lead({
        field_data: fields({
          email: ['jane@acme.io'],
          full_name: ['Jane Doe'],
          first_name: ['Jane'],
          last_name: ['Doe'],
          phone_number: ['+14155552671'],
          city: ['San Francisco'],
          zip_code: ['94105'],
          country: ['US'],
          company_name: ['Acme Inc'],
          job_title: ['VP Sales'],
        }),
      }),
    );
    expect(raw).toMatchObject({
      email: 'jane@acme.io',
      fullName: 'Jane Doe',
      firstName: 'Jane',
      lastName: 'Doe',
      phone: '+14155552671',
      city: 'San Francisco',
      postalCode: '94105',
      country: 'US',
      company: 'Acme Inc',
      jobTitle: 'VP Sales',
    });
    expect(raw.answers).toEqual([]);
  });

  it('uses work_email, work_phone_number and post_code when the plain ones are absent', () => {
    const raw = map(
      lead({
        field_data: fields({
          work_email: ['a@b.io'],
          work_phone_number: ['+442079460958'],
          post_code: ['SW1A 1AA'],
        }),
      }),
    );
    expect(raw).toMatchObject({ email: 'a@b.io', phone: '+442079460958', postalCode: 'SW1A 1AA' });
  });

  it('prefers email to work_email, keeping the other as an answer with its label', () => {
    const raw = map(
      lead({ field_data: fields({ work_email: ['jane@acme.io'], email: ['jane@gmail.com'] }) }),
      form({ questions: [{ key: 'work_email', label: 'Work email', type: 'WORK_EMAIL' }] }),
    );
    expect(raw.email).toBe('jane@gmail.com');
    expect(raw.answers).toEqual([{ key: 'work_email', label: 'Work email', values: ['jane@acme.io'] }]);
  });

  it('keeps every other question verbatim, labelled from the form, with option keys resolved', () => {
    const raw = map(lead());
    expect(raw.answers).toEqual([
      { key: 'which_service_do_you_need?', label: 'Which service do you need?', values: ['Roof repair'] },
    ]);
    const unknown = map(lead({ field_data: fields({ 'your_budget_range?': ['10k+'], state: ['CA'] }) }));
    expect(unknown.answers).toEqual([
      { key: 'your_budget_range?', values: ['10k+'] },
      { key: 'state', values: ['CA'] },
    ]);
  });

  it('keeps every value of a multi-select answer', () => {
    const raw = map(
      lead({
        field_data: fields({ 'which_service_do_you_need?': ['roof_repair', 'gutters', 'other_thing'] }),
      }),
    );
    expect(raw.answers).toEqual([
      {
        key: 'which_service_do_you_need?',
        label: 'Which service do you need?',
        values: ['Roof repair', 'Gutters', 'other_thing'],
      },
    ]);
  });

  it('maps customised field ids by the question type', () => {
    const raw = map(
      lead({ field_data: fields({ contact_mail: ['x@y.io'], mobile: ['+14155552671'], firma: ['ACME'] }) }),
      form({
        questions: [
          { key: 'contact_mail', label: 'E-Mail', type: 'EMAIL' },
          { key: 'mobile', label: 'Mobil', type: 'PHONE' },
          { key: 'firma', label: 'Firma', type: 'COMPANY_NAME' },
        ],
      }),
    );
    expect(raw).toMatchObject({ email: 'x@y.io', phone: '+14155552671', company: 'ACME', answers: [] });
  });

  it('applies per-form overrides from the config file before the built-in names', () => {
    const raw = map(
      lead({
        field_data: fields({ email: ['a@b.io'], 'best_email?': ['c@d.io'], 'your_company?': ['Acme'] }),
      }),
      form(),
      { fields: { 'best_email?': 'email', 'your_company?': 'company' }, name: 'Quote form (config)' },
    );
    expect(raw).toMatchObject({ email: 'c@d.io', company: 'Acme' });
    expect(raw.answers).toEqual([{ key: 'email', values: ['a@b.io'] }]);
    expect(raw.attribution.formName).toBe('Quote form (config)');
  });

  it('keeps values the hub cannot read as answers, so the lead is still captured', () => {
    const raw = map(
      lead({
        field_data: fields({
          email: ['<test lead: dummy data for email>'],
          phone_number: ['<test lead: dummy data for phone_number>'],
          country: ['Atlantis'],
          full_name: ['Joe Example'],
        }),
      }),
    );
    expect(raw.email).toBeUndefined();
    expect(raw.phone).toBeUndefined();
    expect(raw.country).toBeUndefined();
    expect(raw.answers?.map((a) => a.key)).toEqual(['email', 'phone_number', 'country']);
    expect(
      normaliseLead(raw, { leadId: 'ld_1', receivedAt: '2026-11-20T08:49:20.000Z' }, { defaultCountry: 'US' })
        .ok,
    ).toBe(true);
  });

  it('skips empty answers and takes the first non-empty value for a canonical field', () => {
    const raw = map(lead({ field_data: fields({ email: ['', 'joe@example.com'], 'notes?': ['', ' '] }) }));
    expect(raw.email).toBe('joe@example.com');
    expect(raw.answers).toEqual([]);
  });
});

describe('mapMetaLead: attribution and times', () => {
  it('carries page, form, ad, ad set, campaign and platform, with ids as strings', () => {
    const raw = map(lead());
    expect(raw.platformLeadId).toBe('1023456789012345');
    expect(raw.source).toBe('meta');
    expect(raw.platformCreatedAt).toBe('2026-11-20T08:49:14.000Z');
    expect(raw.attribution).toEqual({
      source: 'meta',
      formId: '12312312312',
      formName: 'Roofing quote',
      pageId: '153125381133',
      adId: '120211234567890123',
      adName: 'Roofing - Nov',
      adSetId: '120211234567890000',
      adSetName: 'Homeowners 35-65',
      campaignId: '120211234567880000',
      campaignName: 'Q4 Leads',
      platform: 'ig',
      utm: {},
    });
  });

  it('falls back to the webhook created_time, then the receipt time', () => {
    expect(map(lead({ created_time: undefined })).platformCreatedAt).toBe('2026-11-20T08:49:10.000Z');
    const bare = mapMetaLead(
      {
        notification: { leadgenId: '1', pageId: '2' },
        lead: MetaLeadSchema.parse({ id: '1' }),
        receivedAt: '2026-11-20T08:49:20.000Z',
      },
      { defaultCountry: 'US' },
    );
    expect(bare.platformCreatedAt).toBe('2026-11-20T08:49:20.000Z');
    expect(bare.attribution).toEqual({ source: 'meta', pageId: '2', utm: {} });
    expect(bare.consents).toEqual([]);
  });

  it('produces a raw lead that normalises', () => {
    const result = normaliseLead(
      map(lead()),
      { leadId: 'ld_1', receivedAt: '2026-11-20T08:49:20.000Z' },
      { defaultCountry: 'US' },
    );
    expect(result.ok).toBe(true);
  });
});

describe('mapMetaLead: consent checkboxes', () => {
  it('records each checkbox with its key, notice text and version, checked or not, and required as implied', () => {
    const raw = map(lead());
    expect(raw.consents).toEqual([
      {
        purpose: 'optional_1',
        key: 'optional_1',
        noticeText: 'Email me offers',
        noticeVersion: 'meta-legal-5550001',
        granted: true,
        method: 'platform_checkbox',
        required: false,
      },
      {
        purpose: 'optional_2',
        key: 'optional_2',
        noticeText: 'Text me offers',
        noticeVersion: 'meta-legal-5550001',
        granted: false,
        method: 'platform_checkbox',
        required: false,
      },
      {
        purpose: 'terms',
        key: 'terms',
        noticeText: 'I accept the terms',
        noticeVersion: 'meta-legal-5550001',
        granted: true,
        method: 'implied',
        required: true,
      },
    ]);
  });

  it('reads is_checked "1" (and true) as granted, "" and anything else as not', () => {
    const responses = [
      { checkbox_key: 'optional_1', is_checked: true },
      { checkbox_key: 'optional_2', is_checked: '0' },
    ];
    const raw = map(lead({ custom_disclaimer_responses: responses }));
    expect(raw.consents?.map((c) => [c.key, c.granted])).toEqual([
      ['optional_1', true],
      ['optional_2', false],
      ['terms', true],
    ]);
  });

  it('maps checkbox keys to purposes from the config, keeping purposes unique', () => {
    const raw = map(lead(), form(), {
      consents: { optional_1: 'marketing_email', optional_2: 'marketing_email' },
    });
    expect(raw.consents?.map((c) => c.purpose)).toEqual([
      'marketing_email',
      'marketing_email:optional_2',
      'terms',
    ]);
  });

  it('records a response for a checkbox the form does not list, with the disclaimer text or none', () => {
    const raw = map(lead({ custom_disclaimer_responses: [{ checkbox_key: 'mystery', is_checked: '1' }] }));
    expect(raw.consents?.find((c) => c.key === 'mystery')).toMatchObject({
      granted: true,
      noticeText: 'Roofing Co contacts you about your quote.',
    });
    const withoutForm = map(lead(), null);
    expect(withoutForm.consents?.map((c) => [c.key, c.granted, c.noticeText])).toEqual([
      ['optional_1', true, ''],
      ['optional_2', false, ''],
    ]);
    expect(withoutForm.consents?.[0]?.noticeVersion).toMatch(/^sha256-[0-9a-f]{12}$/);
  });
});

describe('mapMetaLead: test leads', () => {
  it('flags an organic lead without an ad (Lead Ads Testing Tool) as a test', () => {
    const testLead = lead({ is_organic: true, ad_id: undefined, ad_name: undefined });
    const raw = mapMetaLead(
      {
        notification: { ...notification, adId: undefined },
        lead: testLead,
        form: form(),
        receivedAt: '2026-11-20T08:49:20.000Z',
      },
      { defaultCountry: 'US' },
    );
    expect(raw.isTest).toBe(true);
  });

  it('does not flag paid leads, nor organic leads that carry an ad', () => {
    expect(map(lead()).isTest).toBe(false);
    expect(map(lead({ is_organic: true })).isTest).toBe(false);
    const noAd = mapMetaLead(
      {
        notification: { ...notification, adId: undefined },
        lead: lead({ ad_id: undefined }),
        receivedAt: '2026-11-20T08:49:20.000Z',
      },
      { defaultCountry: 'US' },
    );
    expect(noAd.isTest).toBe(false);
  });

  it('lets the config force the flag either way', () => {
    expect(map(lead(), form(), { isTest: true }).isTest).toBe(true);
    const organic = lead({ is_organic: true, ad_id: undefined });
    const raw = mapMetaLead(
      {
        notification: { ...notification, adId: undefined },
        lead: organic,
        receivedAt: '2026-11-20T08:49:20.000Z',
      },
      { defaultCountry: 'US', overrides: MetaFormConfigSchema.parse({ isTest: false }) },
    );
    expect(raw.isTest).toBe(false);
  });
});
