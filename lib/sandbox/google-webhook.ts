import { LosslessNumber, stringify } from 'lossless-json';

/**
 * Google Ads lead form webhooks for the demo and tests, in the proto `WebhookLead` shape Google documents
 * (answers inline in `user_column_data`, the key inside the body, int64 ids as bare JSON numbers).
 */

export interface SandboxGoogleLead {
  lead_id: string;
  user_column_data: { column_name?: string; string_value: string; column_id: string }[];
  api_version: string;
  form_id: string;
  campaign_id: string;
  adgroup_id: string;
  creative_id: string;
  asset_group_id?: string;
  gcl_id?: string;
  is_test: boolean;
  lead_stage?: string;
  lead_submit_time: string;
}

/** A lead from a search ad's lead form; override what a scenario needs. */
export function googleLead(leadId: string, overrides: Partial<SandboxGoogleLead> = {}): SandboxGoogleLead {
  return {
    lead_id: leadId,
    user_column_data: [
      { column_name: 'Full Name', string_value: 'Priya Patel', column_id: 'FULL_NAME' },
      { column_name: 'User Email', string_value: 'priya.patel@globex.io', column_id: 'EMAIL' },
      { column_name: 'User Phone', string_value: '+14155550187', column_id: 'PHONE_NUMBER' },
      { column_name: 'Company Name', string_value: 'Globex', column_id: 'COMPANY_NAME' },
      { column_name: 'Job Title', string_value: 'Head of Revenue Operations', column_id: 'JOB_TITLE' },
      { column_name: 'Postal Code', string_value: '94043', column_id: 'POSTAL_CODE' },
      {
        column_name: 'How many sales reps do you have?',
        string_value: '11-50',
        column_id: 'sales_team_size',
      },
    ],
    api_version: '1.0',
    form_id: '349080077126',
    campaign_id: '23729418209',
    adgroup_id: '195583084496',
    creative_id: '684301726650',
    asset_group_id: '0',
    gcl_id: 'EAIaIQobChMI8pWf-lead-form',
    is_test: false,
    lead_stage: 'SUBMITTED',
    lead_submit_time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...overrides,
  };
}

/** What the lead form's *Send test data* button posts. */
export function googleTestLead(overrides: Partial<SandboxGoogleLead> = {}): SandboxGoogleLead {
  return googleLead(
    'TeSter-123-ABCDEFGHIJKLMNOPQRSTUVWXYZ-abcdefghijklmnopqrstuvwxyz-0123456789-AaBbCcDdEeFfGgHhIiJjKkLl',
    {
      user_column_data: [
        { column_name: 'Full Name', string_value: 'FirstName LastName', column_id: 'FULL_NAME' },
        { column_name: 'User Email', string_value: 'test@example.com', column_id: 'EMAIL' },
        { column_name: 'User Phone', string_value: '+16505550123', column_id: 'PHONE_NUMBER' },
        { column_name: 'Postal Code', string_value: '94043', column_id: 'POSTAL_CODE' },
      ],
      is_test: true,
      ...overrides,
    },
  );
}

const INT64_KEYS = new Set(['form_id', 'campaign_id', 'adgroup_id', 'creative_id', 'asset_group_id']);

/** The exact bytes Google would post: the lead plus the key, int64 ids as bare numbers. */
export function googleWebhookBody(lead: SandboxGoogleLead, googleKey: string): string {
  const payload: Record<string, unknown> = { ...lead, google_key: googleKey };
  for (const key of INT64_KEYS) {
    const value = payload[key];
    if (typeof value === 'string' && /^\d+$/.test(value)) payload[key] = new LosslessNumber(value);
  }
  return stringify(payload) ?? '';
}

/** Posts a lead to the hub like Google does; resolves to the hub's answer. */
export async function sendGoogleWebhook(
  hubUrl: string,
  lead: SandboxGoogleLead,
  googleKey: string,
): Promise<{ status: number; body: string }> {
  const res = await fetch(`${hubUrl.replace(/\/+$/, '')}/webhooks/google`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'Google-Ads-Lead-Forms' },
    body: googleWebhookBody(lead, googleKey),
  });
  return { status: res.status, body: await res.text() };
}
