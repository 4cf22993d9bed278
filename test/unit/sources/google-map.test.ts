import { describe, expect, it } from 'vitest';
import { normaliseLead } from '../../../lib/lead/normalise.js';
import { GOOGLE_COLUMN_IDS, mapGoogleLead } from '../../../lib/sources/google/map.js';
import type { GoogleLeadPayload } from '../../../lib/sources/google/parse.js';

const RECEIVED = '2026-11-30T10:00:05.000Z';
const lead = (overrides: Partial<GoogleLeadPayload> = {}): GoogleLeadPayload => ({
  leadId: 'lead-1',
  formId: '349080077126',
  campaignId: '23729418209',
  adgroupId: '195583084496',
  creativeId: '684301726650',
  gclId: 'gclid-1',
  submitTime: '2026-11-30T09:59:00.000Z',
  isTest: false,
  columns: [
    { columnId: 'FULL_NAME', columnName: 'Full Name', value: 'Priya Patel' },
    { columnId: 'EMAIL', columnName: 'User Email', value: 'priya@globex.io' },
    { columnId: 'PHONE_NUMBER', columnName: 'User Phone', value: '+14155550187' },
  ],
  ...overrides,
});
const map = (l: GoogleLeadPayload) => mapGoogleLead(l, { defaultCountry: 'US', receivedAt: RECEIVED });

describe('Google Ads mapping', () => {
  it('maps the columns, the attribution, the gclid and the submit time', () => {
    const raw = map(lead());
    expect(raw).toEqual({
      source: 'google',
      platformLeadId: 'lead-1',
      platformCreatedAt: '2026-11-30T09:59:00.000Z',
      fullName: 'Priya Patel',
      email: 'priya@globex.io',
      phone: '+14155550187',
      answers: [],
      attribution: {
        source: 'google',
        formId: '349080077126',
        campaignId: '23729418209',
        adSetId: '195583084496',
        adId: '684301726650',
        utm: {},
        clickIds: { gclid: 'gclid-1' },
      },
      consents: [],
      context: {},
      isTest: false,
    });
    expect(normaliseLead(raw, { leadId: 'ld_1', receivedAt: RECEIVED }, { defaultCountry: 'US' }).ok).toBe(
      true,
    );
  });

  it('maps every standard column id, work variants second', () => {
    for (const [columnId, target] of GOOGLE_COLUMN_IDS) {
      const value =
        target === 'email'
          ? 'a@b.co'
          : target === 'phone'
            ? '+14155552671'
            : target === 'country'
              ? 'US'
              : 'x';
      const raw = map(lead({ columns: [{ columnId, value }] }));
      expect((raw as Record<string, unknown>)[target], columnId).toBe(value);
    }
    const both = map(
      lead({
        columns: [
          { columnId: 'WORK_EMAIL', value: 'priya@globex.io' },
          { columnId: 'EMAIL', value: 'priya@gmail.com' },
          { columnId: 'WORK_PHONE', value: '+14155550100' },
          { columnId: 'PHONE_NUMBER', value: '+14155550187' },
        ],
      }),
    );
    expect(both).toMatchObject({ email: 'priya@gmail.com', phone: '+14155550187' });
    expect(both.answers).toEqual([
      { key: 'WORK_EMAIL', values: ['priya@globex.io'] },
      { key: 'WORK_PHONE', values: ['+14155550100'] },
    ]);
  });

  it('keeps other and custom column ids as answers with their column name, and unreadable values too', () => {
    const raw = map(
      lead({
        columns: [
          { columnId: 'EMAIL', value: 'not-an-email' },
          { columnId: 'STREET_ADDRESS', columnName: 'Street address', value: '1600 Amphitheatre Pkwy' },
          { columnId: 'REGION', value: 'CA' },
          { columnId: 'sales_team_size', columnName: 'How many sales reps?', value: '11-50' },
          { columnName: 'No id', value: 'x' },
          { value: 'neither' },
          { columnId: 'CITY', value: '' },
        ],
      }),
    );
    expect(raw.email).toBeUndefined();
    expect(raw.city).toBeUndefined();
    expect(raw.answers).toEqual([
      { key: 'EMAIL', values: ['not-an-email'] },
      { key: 'STREET_ADDRESS', label: 'Street address', values: ['1600 Amphitheatre Pkwy'] },
      { key: 'REGION', values: ['CA'] },
      { key: 'sales_team_size', label: 'How many sales reps?', values: ['11-50'] },
      { key: 'No id', values: ['x'] },
      { key: 'column_6', values: ['neither'] },
    ]);
  });

  it('flags is_test leads (the form\'s "Send test data") as tests', () => {
    expect(map(lead({ isTest: true })).isTest).toBe(true);
  });

  it('uses the asset group (Performance Max) when there is no ad group, and the receipt time without a submit time', () => {
    const { adgroupId: _a, submitTime: _s, gclId: _g, ...rest } = lead({ assetGroupId: '6543' });
    const raw = map(rest);
    expect(raw.attribution).toMatchObject({ adSetId: '6543' });
    expect(raw.attribution.clickIds).toBeUndefined();
    expect(raw.platformCreatedAt).toBe(RECEIVED);
  });
});
