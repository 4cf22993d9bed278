import { describe, expect, it } from 'vitest';
import { normaliseLead } from '../../../lib/lead/normalise.js';
import { answerValues, mapTikTokLead, TIKTOK_STANDARD_FIELDS } from '../../../lib/sources/tiktok/map.js';
import type { TikTokLead } from '../../../lib/sources/tiktok/parse.js';

const RECEIVED = '2026-11-30T10:00:05.000Z';
const lead = (overrides: Partial<TikTokLead> = {}): TikTokLead => ({
  leadId: '7012345678901234567',
  advertiserId: '7163948356417552385',
  pageId: '7643847475366904072',
  pageName: 'Quote form',
  campaignId: '1800000000000001',
  campaignName: 'Q4 Leads',
  adgroupId: '1800000000000002',
  adgroupName: 'Homeowners',
  adId: '1800000000000003',
  adName: 'Video A',
  leadSource: 'INSTANT_FORM',
  createTime: '2026-11-30T09:59:00.000Z',
  changes: [
    { field: 'name', value: 'Jade Nguyen' },
    { field: 'email', value: 'jade@example.com' },
    { field: 'phone_number', value: '+14155550142' },
  ],
  ...overrides,
});
const map = (l: TikTokLead) => mapTikTokLead(l, { defaultCountry: 'US', receivedAt: RECEIVED });

describe('TikTok mapping', () => {
  it('maps the documented fields, the attribution and the dedupe key', () => {
    const raw = map(lead());
    expect(raw).toEqual({
      source: 'tiktok',
      platformLeadId: '7163948356417552385:7012345678901234567',
      platformCreatedAt: '2026-11-30T09:59:00.000Z',
      fullName: 'Jade Nguyen',
      email: 'jade@example.com',
      phone: '+14155550142',
      answers: [],
      attribution: {
        source: 'tiktok',
        formId: '7643847475366904072',
        formName: 'Quote form',
        adId: '1800000000000003',
        adName: 'Video A',
        adSetId: '1800000000000002',
        adSetName: 'Homeowners',
        campaignId: '1800000000000001',
        campaignName: 'Q4 Leads',
        platform: 'instant_form',
        utm: {},
      },
      consents: [],
      context: {},
      isTest: false,
    });
    expect(normaliseLead(raw, { leadId: 'ld_1', receivedAt: RECEIVED }, { defaultCountry: 'US' }).ok).toBe(
      true,
    );
  });

  it('maps every standard field name, whatever its case or spacing', () => {
    for (const [field, target] of TIKTOK_STANDARD_FIELDS) {
      const value =
        target === 'email'
          ? 'a@b.co'
          : target === 'phone'
            ? '+14155552671'
            : target === 'country'
              ? 'DE'
              : 'x';
      const raw = map(lead({ changes: [{ field, value }] }));
      expect((raw as Record<string, unknown>)[target], field).toBe(value);
    }
    const spaced = map(
      lead({
        changes: [
          { field: 'Phone Number', value: '+14155552671' },
          { field: 'First-Name', value: 'Jade' },
        ],
      }),
    );
    expect(spaced).toMatchObject({ phone: '+14155552671', firstName: 'Jade' });
  });

  it('keeps gender, address, custom questions and unreadable values as answers', () => {
    const raw = map(
      lead({
        changes: [
          { field: 'email', value: 'nope' },
          { field: 'gender', value: 'female' },
          { field: 'address', value: '1 Main St' },
          { field: 'What do you need?', value: 'Roof repair' },
          { field: 'budget', value: { label: 'Budget', value: '10k' } },
          { field: 'services', value: ['Gutters', 'Roof'] },
          { field: 'empty', value: '' },
        ],
      }),
    );
    expect(raw.email).toBeUndefined();
    expect(raw.answers).toEqual([
      { key: 'email', values: ['nope'] },
      { key: 'gender', values: ['female'] },
      { key: 'address', values: ['1 Main St'] },
      { key: 'What do you need?', values: ['Roof repair'] },
      { key: 'budget', label: 'Budget', values: ['10k'] },
      { key: 'services', values: ['Gutters', 'Roof'] },
    ]);
  });

  it('reads a value given as a string, a number, a list or an object', () => {
    expect(answerValues('a')).toEqual(['a']);
    expect(answerValues(3)).toEqual(['3']);
    expect(answerValues(['a', 'b'])).toEqual(['a', 'b']);
    expect(answerValues({ value: 'x' })).toEqual(['x']);
    expect(answerValues({ values: ['x', 'y'] })).toEqual(['x', 'y']);
    expect(answerValues({ other: 1 })).toEqual(['{"other":1}']);
    expect(answerValues(null)).toEqual([]);
  });

  it('flags an instant-form lead with no ad (a mock lead) as a test, and nothing else', () => {
    const { adId: _a, ...mock } = lead();
    expect(map(mock).isTest).toBe(true);
    expect(map(lead()).isTest).toBe(false);
    const { adId: _b, ...message } = lead({ leadSource: 'DIRECT_MESSAGE' });
    expect(map(message).isTest).toBe(false);
  });

  it('records no consent: how TikTok sends its checkboxes is unconfirmed', () => {
    expect(map(lead({ changes: [{ field: 'I agree to be contacted', value: 'true' }] })).consents).toEqual(
      [],
    );
  });

  it('takes the created time from the lead, else the delivery, else the receipt', () => {
    const { createTime: _c, ...noCreate } = lead();
    expect(map({ ...noCreate, notifiedAt: '2026-11-30T09:59:30.000Z' }).platformCreatedAt).toBe(
      '2026-11-30T09:59:30.000Z',
    );
    expect(map(noCreate).platformCreatedAt).toBe(RECEIVED);
  });
});
