import { describe, expect, it } from 'vitest';
import { tiktokLead, tiktokWebhookBody } from '../../../lib/sandbox/tiktok-webhook.js';
import {
  advertiserAllowList,
  parseTikTokWebhook,
  tiktokDeliveryOf,
  tiktokPlatformLeadId,
  tiktokTime,
} from '../../../lib/sources/tiktok/parse.js';

// The SDK's documented delivery, ids as bare 19-digit numbers as one implementer reports.
const documented = Buffer.from(`{
  "request_id": "2026112008491400000000000000", "object": 1, "time": 1763628554,
  "entry": [{
    "id": 7012345678901234567, "lead_source": "INSTANT_FORM",
    "page_id": "7643847475366904072", "page_name": "Quote form",
    "advertiser_id": 7163948356417552385, "advertiser_name": "Acme Roofing", "library_id": "",
    "campaign_id": "1800000000000001", "campaign_name": "Q4 Leads",
    "adgroup_id": "1800000000000002", "adgroup_name": "Homeowners",
    "ad_id": "1800000000000003", "ad_name": "Video A",
    "create_time": 1763628550,
    "changes": [
      { "field": "name", "value": "Jane Doe" },
      { "field": "email", "value": "jane@example.com" },
      { "field": "phone_number", "value": "+15555550123" }
    ]
  }]
}`);

describe('TikTok deliveries', () => {
  it('reads the documented lead delivery, keeping 19-digit ids exact', () => {
    const result = parseTikTokWebhook(documented);
    expect(result).toEqual({
      ok: true,
      ignored: 0,
      unreadable: [],
      leftOut: [],
      repeated: 0,
      rejected: 0,
      leads: [
        {
          leadId: '7012345678901234567',
          advertiserId: '7163948356417552385',
          advertiserName: 'Acme Roofing',
          pageId: '7643847475366904072',
          pageName: 'Quote form',
          campaignId: '1800000000000001',
          campaignName: 'Q4 Leads',
          adgroupId: '1800000000000002',
          adgroupName: 'Homeowners',
          adId: '1800000000000003',
          adName: 'Video A',
          leadSource: 'INSTANT_FORM',
          createTime: new Date(1763628550 * 1000).toISOString(),
          notifiedAt: new Date(1763628554 * 1000).toISOString(),
          requestId: '2026112008491400000000000000',
          changes: [
            { field: 'name', value: 'Jane Doe' },
            { field: 'email', value: 'jane@example.com' },
            { field: 'phone_number', value: '+15555550123' },
          ],
        },
      ],
    });
    if (!result.ok) throw new Error(result.message);
    expect(tiktokPlatformLeadId(result.leads[0] as never)).toBe('7163948356417552385:7012345678901234567');
  });

  it('takes several leads, drops a repeat, and hands back entries without usable ids', () => {
    const body = tiktokWebhookBody([
      tiktokLead('7301234567890123456'),
      tiktokLead('7301234567890123457'),
      tiktokLead('7301234567890123456'),
      tiktokLead('not-digits'),
      tiktokLead('7301234567890123459', { advertiser_id: '' }),
    ]);
    const result = parseTikTokWebhook(Buffer.from(body));
    expect(result).toMatchObject({ ok: true, repeated: 1 });
    if (!result.ok) throw new Error(result.message);
    expect(result.leads.map((l) => l.leadId)).toEqual(['7301234567890123456', '7301234567890123457']);
    expect(result.unreadable.map((u) => u.reason)).toEqual([
      'lead entry without a usable id',
      'lead entry without a usable advertiser_id or library_id',
    ]);
    expect(result.unreadable[0]?.context).toMatchObject({ object: '1' });
  });

  it('reads a lead whose other fields are unreadable, leaving out only those fields and answers', () => {
    const body = tiktokWebhookBody([
      // Shapes the sandbox's types do not allow, as a broken delivery would bring them.
      tiktokLead('7301234567890123456', {
        campaign_id: 'c-1',
        page_name: { x: 1 },
        create_time: [],
        changes: [{ field: 'email', value: 'jane@example.com' }, { field: {}, value: 'x' }, 'odd'],
      } as never),
    ]);
    const result = parseTikTokWebhook(Buffer.from(body.replace('"request_id":', '"request_id":{},"x":')));
    if (!result.ok) throw new Error(result.message);
    expect(result.unreadable).toEqual([]);
    expect(result.leads).toHaveLength(1);
    expect(result.leads[0]).not.toHaveProperty('campaignId');
    expect(result.leads[0]?.changes).toEqual([{ field: 'email', value: 'jane@example.com' }]);
    expect(result.leftOut.sort()).toEqual([
      'campaign_id',
      'changes[]',
      'create_time',
      'page_name',
      'request_id',
    ]);
  });

  it('keeps an entry whose advertiser id cannot be checked against the allow-list, rather than refusing it', () => {
    const body = tiktokWebhookBody([
      tiktokLead('7301234567890123456', { advertiser_id: 'acme', library_id: '88' }),
    ]);
    const result = parseTikTokWebhook(Buffer.from(body), advertiserAllowList('99'));
    expect(result).toMatchObject({ ok: true, rejected: 0, leads: [] });
    expect(result.ok && result.unreadable.map((u) => u.reason)).toEqual([
      'advertiser_id unreadable, so TIKTOK_ADVERTISER_IDS cannot be checked',
    ]);
  });

  it('rebuilds the one-entry delivery of a kept entry, which reads the same', () => {
    const result = parseTikTokWebhook(Buffer.from(tiktokWebhookBody([tiktokLead('no')])));
    const [kept] = result.ok ? result.unreadable : [];
    if (!kept) throw new Error('expected an unreadable entry');
    const again = parseTikTokWebhook(tiktokDeliveryOf(kept));
    expect(again.ok && again.unreadable).toEqual([kept]);
  });

  it('keys a form-library lead by its library id', () => {
    const body = tiktokWebhookBody([
      tiktokLead('7301234567890123456', { advertiser_id: '', library_id: '88' }),
    ]);
    const result = parseTikTokWebhook(Buffer.from(body));
    if (!result.ok) throw new Error(result.message);
    expect(tiktokPlatformLeadId(result.leads[0] as never)).toBe('library-88:7301234567890123456');
  });

  it('ignores every object but 1 (ad reviews, creative fatigue, …), whether written as number or string', () => {
    for (const object of [2, 3, 8, 10, 11, 14]) {
      expect(parseTikTokWebhook(Buffer.from(tiktokWebhookBody([tiktokLead('1')], { object })))).toMatchObject(
        {
          ok: true,
          leads: [],
          ignored: 1,
        },
      );
    }
    const asString = Buffer.from(
      tiktokWebhookBody([tiktokLead('7301234567890123456')]).replace('"object":1', '"object":"1"'),
    );
    expect(parseTikTokWebhook(asString)).toMatchObject({
      ok: true,
      leads: [{ leadId: '7301234567890123456' }],
    });
  });

  it('accepts only allow-listed advertisers when a list is configured', () => {
    const body = Buffer.from(
      tiktokWebhookBody([
        tiktokLead('7301234567890123456'),
        tiktokLead('7301234567890123457', { advertiser_id: '42' }),
      ]),
    );
    const allowed = advertiserAllowList(' 7163948356417552385 , 99');
    const result = parseTikTokWebhook(body, allowed);
    expect(result).toMatchObject({ ok: true, rejected: 1, leads: [{ leadId: '7301234567890123456' }] });
    expect(parseTikTokWebhook(body, advertiserAllowList('99'))).toMatchObject({
      ok: true,
      rejected: 2,
      leads: [],
    });
    expect(advertiserAllowList(undefined)).toBeUndefined();
    expect(advertiserAllowList(' , ')).toBeUndefined();
  });

  it('keeps object-typed answer values raw', () => {
    const body = tiktokWebhookBody([
      tiktokLead('7301234567890123456', {
        changes: [{ field: 'budget', value: { label: 'Budget', value: '10k' } }],
      }),
    ]);
    const result = parseTikTokWebhook(Buffer.from(body));
    if (!result.ok) throw new Error(result.message);
    expect(result.leads[0]?.changes).toEqual([{ field: 'budget', value: { label: 'Budget', value: '10k' } }]);
  });

  it('reads create_time as unix seconds or as "YYYY-MM-DD HH:MM:SS" UTC', () => {
    expect(tiktokTime(1763628550)).toBe('2025-11-20T08:49:10.000Z');
    expect(tiktokTime('1763628550')).toBe('2025-11-20T08:49:10.000Z');
    expect(tiktokTime('2026-11-20 08:49:10')).toBe('2026-11-20T08:49:10.000Z');
    expect(tiktokTime('yesterday')).toBeUndefined();
    expect(tiktokTime(undefined)).toBeUndefined();
  });

  it('fails only an unreadable envelope', () => {
    for (const raw of ['{', '[]', '"x"', '{"entry":[]}', 'null']) {
      expect(parseTikTokWebhook(Buffer.from(raw)), raw).toMatchObject({ ok: false });
    }
  });
});
