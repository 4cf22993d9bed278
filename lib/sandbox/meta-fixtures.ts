import type { SandboxForm, SandboxLead } from './meta-graph.js';

/**
 * A small, realistic Meta account for the demo and the e2e tests: two pages, a B2B form with consent
 * checkboxes (one optional, one required) and a multi-select question, and a B2C form. Ids are 15 to 18
 * digits, some past 2^53, as on Meta.
 */
export const SANDBOX_PAGES = {
  acme: '153125381133',
  roofing: '100200300400500',
} as const;

export const SANDBOX_FORMS = {
  demoRequest: '912345678901234567',
  roofQuote: '12312312312',
} as const;

export const demoRequestForm: SandboxForm = {
  id: SANDBOX_FORMS.demoRequest,
  name: 'Book a demo - Nov',
  locale: 'en_US',
  privacyPolicyUrl: 'https://acme.example/privacy',
  legalContent: {
    id: '1188776655443322',
    privacy_policy: { url: 'https://acme.example/privacy', link_text: 'Privacy policy' },
    custom_disclaimer: {
      title: 'Before you submit',
      body: { text: 'Acme Robotics processes your details to answer your request.' },
      checkboxes: [
        {
          id: '1',
          key: 'marketing_optin',
          text: 'Yes, send me product news and offers by email. I can unsubscribe at any time.',
          is_required: false,
          is_checked_by_default: false,
        },
        {
          id: '2',
          key: 'data_processing',
          text: 'I agree that Acme Robotics stores my details to contact me about this request.',
          is_required: true,
          is_checked_by_default: false,
        },
      ],
    },
  },
  questions: [
    { key: 'full_name', label: 'Full name', type: 'FULL_NAME' },
    { key: 'work_email', label: 'Work email', type: 'WORK_EMAIL' },
    { key: 'phone_number', label: 'Phone number', type: 'PHONE' },
    { key: 'company_name', label: 'Company name', type: 'COMPANY_NAME' },
    { key: 'job_title', label: 'Job title', type: 'JOB_TITLE' },
    { key: 'country', label: 'Country', type: 'COUNTRY' },
    {
      key: 'which_products_interest_you?',
      label: 'Which products interest you?',
      type: 'CUSTOM',
      options: [
        { key: 'lead_routing', value: 'Lead routing' },
        { key: 'slack_alerts', value: 'Slack alerts' },
        { key: 'crm_sync', value: 'CRM sync' },
      ],
    },
    {
      key: 'team_size',
      label: 'How big is your sales team?',
      type: 'CUSTOM',
      options: [
        { key: '1-10', value: '1-10' },
        { key: '11-50', value: '11-50' },
        { key: '51-200', value: '51-200' },
      ],
    },
  ],
};

export const roofQuoteForm: SandboxForm = {
  id: SANDBOX_FORMS.roofQuote,
  name: 'Roofing quote',
  locale: 'en_US',
  privacyPolicyUrl: 'https://roofing.example/privacy',
  questions: [
    { key: 'full_name', label: 'Full name', type: 'FULL_NAME' },
    { key: 'email', label: 'Email', type: 'EMAIL' },
    { key: 'phone_number', label: 'Phone number', type: 'PHONE' },
    { key: 'zip_code', label: 'ZIP code', type: 'ZIP' },
    {
      key: 'which_service_do_you_need?',
      label: 'Which service do you need?',
      type: 'CUSTOM',
      options: [
        { key: 'roof_repair', value: 'Roof repair' },
        { key: 'new_roof', value: 'New roof' },
      ],
    },
  ],
};

/** A lead from an ad on the B2B form; override what a scenario needs. */
export function demoRequestLead(id: string, overrides: Partial<SandboxLead> = {}): SandboxLead {
  return {
    id,
    pageId: SANDBOX_PAGES.acme,
    formId: SANDBOX_FORMS.demoRequest,
    createdTime: new Date().toISOString(),
    adId: '120211234567890123',
    adName: 'Demo - Nov - Video',
    adsetId: '120211234567890000',
    adsetName: 'Sales leaders US',
    campaignId: '120211234567880000',
    campaignName: 'Q4 Demos',
    isOrganic: false,
    platform: 'fb',
    fieldData: [
      { name: 'full_name', values: ['Maria Garcia'] },
      { name: 'work_email', values: ['maria.garcia@acme-robotics.com'] },
      { name: 'phone_number', values: ['+14155552671'] },
      { name: 'company_name', values: ['Acme Robotics'] },
      { name: 'job_title', values: ['VP Sales'] },
      { name: 'country', values: ['US'] },
      { name: 'which_products_interest_you?', values: ['lead_routing', 'slack_alerts'] },
      { name: 'team_size', values: ['51-200'] },
    ],
    customDisclaimerResponses: [
      { checkbox_key: 'marketing_optin', is_checked: '1' },
      { checkbox_key: 'data_processing', is_checked: '1' },
    ],
    ...overrides,
  };
}

/** A lead from an Instagram ad on the roofing form. */
export function roofQuoteLead(id: string, overrides: Partial<SandboxLead> = {}): SandboxLead {
  return {
    id,
    pageId: SANDBOX_PAGES.roofing,
    formId: SANDBOX_FORMS.roofQuote,
    createdTime: new Date().toISOString(),
    adId: '120251304671210738',
    adName: 'Roofing - Nov',
    adsetId: '120251304671210000',
    adsetName: 'Homeowners 35-65',
    campaignId: '120251304671200000',
    campaignName: 'Q4 Leads',
    isOrganic: false,
    platform: 'ig',
    fieldData: [
      { name: 'full_name', values: ['Joe Example'] },
      { name: 'email', values: ['joe@example.com'] },
      { name: 'phone_number', values: ['+14155550123'] },
      { name: 'zip_code', values: ['94105'] },
      { name: 'which_service_do_you_need?', values: ['roof_repair'] },
    ],
    ...overrides,
  };
}

/** What the Lead Ads Testing Tool creates: organic, no ad, placeholder answers. */
export function testingToolLead(id: string, overrides: Partial<SandboxLead> = {}): SandboxLead {
  return {
    id,
    pageId: SANDBOX_PAGES.acme,
    formId: SANDBOX_FORMS.demoRequest,
    createdTime: new Date().toISOString(),
    isOrganic: true,
    fieldData: [
      { name: 'full_name', values: ['<test lead: dummy data for full_name>'] },
      { name: 'work_email', values: ['test@fb.com'] },
      { name: 'phone_number', values: ['<test lead: dummy data for phone_number>'] },
      { name: 'company_name', values: ['<test lead: dummy data for company_name>'] },
      {
        name: 'which_products_interest_you?',
        values: ['<test lead: dummy data for which_products_interest_you?>'],
      },
    ],
    customDisclaimerResponses: [{ checkbox_key: 'marketing_optin', is_checked: '' }],
    ...overrides,
  };
}
