import { describe, expect, it } from 'vitest';
import { googleLead, googleWebhookBody } from '../../../lib/sandbox/google-webhook.js';
import { parseGoogleWebhook } from '../../../lib/sources/google/parse.js';
import { checkGoogleKey } from '../../../lib/sources/google/verify.js';

// The documented WebhookLead, int64 ids as bare numbers.
const documented = Buffer.from(`{
  "lead_id": "TeSter-123-ABCDEFGHIJKLMNOPQRSTUVWXYZ-abcdefghijklmnopqrstuvwxyz-0123456789-AaBbCcDdEeFfGgHhIiJjKkLl",
  "user_column_data": [
    { "column_name": "Full Name",  "string_value": "FirstName LastName", "column_id": "FULL_NAME" },
    { "column_name": "User Email", "string_value": "test@example.com",   "column_id": "EMAIL" },
    { "column_name": "User Phone", "string_value": "+16505550123",       "column_id": "PHONE_NUMBER" },
    { "column_name": "Postal Code","string_value": "94043",              "column_id": "POSTAL_CODE" }
  ],
  "api_version": "1.0", "form_id": 349080077126, "campaign_id": 23729418209,
  "google_key": "the-key", "is_test": true, "gcl_id": "gclid-1",
  "adgroup_id": 195583084496, "creative_id": 30000000000, "asset_group_id": 0,
  "lead_stage": "SUBMITTED", "lead_submit_time": "2026-09-26T12:30:00Z", "some_future_field": {"x": 1}
}`);

describe('Google Ads key', () => {
  it('accepts exactly the configured key', () => {
    expect(checkGoogleKey('the-key', 'the-key')).toBe(true);
  });

  it('refuses another key, another case, a prefix, a non-string, or any when none is configured', () => {
    for (const given of ['nope', 'THE-KEY', 'the-ke', 'the-key ', '', 42, null, undefined, ['the-key']]) {
      expect(checkGoogleKey(given, 'the-key'), String(given)).toBe(false);
    }
    expect(checkGoogleKey('the-key', undefined)).toBe(false);
    expect(checkGoogleKey('', '')).toBe(false);
  });
});

describe('Google Ads deliveries', () => {
  it('reads the documented lead, keeps int64 ids as exact strings and drops the key', () => {
    const result = parseGoogleWebhook(documented);
    expect(result).toEqual({
      ok: true,
      key: 'the-key',
      lead: {
        leadId:
          'TeSter-123-ABCDEFGHIJKLMNOPQRSTUVWXYZ-abcdefghijklmnopqrstuvwxyz-0123456789-AaBbCcDdEeFfGgHhIiJjKkLl',
        formId: '349080077126',
        campaignId: '23729418209',
        adgroupId: '195583084496',
        creativeId: '30000000000',
        gclId: 'gclid-1',
        apiVersion: '1.0',
        leadStage: 'SUBMITTED',
        submitTime: '2026-09-26T12:30:00.000Z',
        isTest: true,
        columns: [
          { columnId: 'FULL_NAME', columnName: 'Full Name', value: 'FirstName LastName' },
          { columnId: 'EMAIL', columnName: 'User Email', value: 'test@example.com' },
          { columnId: 'PHONE_NUMBER', columnName: 'User Phone', value: '+16505550123' },
          { columnId: 'POSTAL_CODE', columnName: 'Postal Code', value: '94043' },
        ],
      },
      leftOut: [],
    });
    expect(JSON.stringify(result.ok && result.lead)).not.toContain('the-key');
  });

  it('keeps ids past 2^53 exact', () => {
    const body = googleWebhookBody(googleLead('l1', { campaign_id: '9007199254740993123' }), 'k');
    expect(body).toContain('"campaign_id":9007199254740993123');
    const result = parseGoogleWebhook(Buffer.from(body));
    expect(result.ok && result.lead?.campaignId).toBe('9007199254740993123');
  });

  it('reads a lead without column names, and a missing is_test as a real lead', () => {
    const body = Buffer.from(
      '{"lead_id":"l2","google_key":"k","user_column_data":[{"column_id":"EMAIL","string_value":"a@b.co"}]}',
    );
    const result = parseGoogleWebhook(body);
    expect(result).toMatchObject({
      ok: true,
      lead: { leadId: 'l2', isTest: false, columns: [{ columnId: 'EMAIL', value: 'a@b.co' }] },
    });
  });

  it('hands back a keyed object without a usable lead_id, without its key, so it is checked first', () => {
    for (const raw of [
      '{"google_key":"k"}',
      '{"google_key":"k","lead_id":""}',
      '{"google_key":"k","lead_id":{}}',
    ]) {
      const result = parseGoogleWebhook(Buffer.from(raw));
      expect(result, raw).toMatchObject({
        ok: true,
        key: 'k',
        unreadable: { reason: 'lead without a usable lead_id' },
      });
      expect(JSON.stringify(result.ok && !result.lead && result.unreadable), raw).not.toContain('google_key');
    }
  });

  it('reads a lead whose other fields are unreadable, leaving out only those fields', () => {
    const result = parseGoogleWebhook(
      Buffer.from(
        '{"google_key":"k","lead_id":"x","form_id":{},"is_test":"maybe","lead_submit_time":{},' +
          '"user_column_data":[{"column_id":"EMAIL","string_value":"a@b.co"},{"column_id":"X","string_value":{}},7]}',
      ),
    );
    expect(result).toMatchObject({
      ok: true,
      lead: { leadId: 'x', isTest: false, columns: [{ columnId: 'EMAIL', value: 'a@b.co' }] },
    });
    expect(result.ok && result.lead?.formId).toBeUndefined();
    expect(result.ok && result.lead && result.leftOut.sort()).toEqual([
      'form_id',
      'is_test',
      'lead_submit_time',
      'string_value',
      'user_column_data[]',
    ]);
    const noColumns = parseGoogleWebhook(
      Buffer.from('{"google_key":"k","lead_id":"x","user_column_data":"no"}'),
    );
    expect(noColumns).toMatchObject({
      ok: true,
      lead: { leadId: 'x', columns: [] },
      leftOut: ['user_column_data'],
    });
  });

  it('fails a body that is not a JSON object', () => {
    for (const raw of ['{', '[]', '"x"', 'null']) {
      expect(parseGoogleWebhook(Buffer.from(raw)), raw).toMatchObject({ ok: false });
    }
  });
});
