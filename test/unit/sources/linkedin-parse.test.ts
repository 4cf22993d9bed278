import { describe, expect, it } from 'vitest';
import { formOf, parseLinkedInWebhook, responseIdOf, urnId } from '../../../lib/sources/linkedin/parse.js';

const notification = (overrides: Record<string, unknown> = {}) => ({
  type: 'LEAD_ACTION',
  leadGenFormResponse: 'urn:li:leadGenFormResponse:249592fc-d272-44ba-a7db-c2bdce579507-6',
  leadGenForm: 'urn:li:versionedLeadGenForm:(urn:li:leadGenForm:7234246,1)',
  owner: { sponsoredAccount: 'urn:li:sponsoredAccount:1234567' },
  associatedEntity: { sponsoredCreative: 'urn:li:sponsoredCreative:241257736' },
  leadType: 'SPONSORED',
  leadAction: 'CREATED',
  occurredAt: 1689894599288,
  ...overrides,
});
const parse = (value: unknown) => parseLinkedInWebhook(Buffer.from(JSON.stringify(value)));

describe('LinkedIn URNs', () => {
  it('reads the response id, the versioned form and any URN id', () => {
    expect(responseIdOf('urn:li:leadGenFormResponse:249592fc-d272-44ba-a7db-c2bdce579507-6')).toBe(
      '249592fc-d272-44ba-a7db-c2bdce579507-6',
    );
    expect(responseIdOf('249592fc-d272')).toBe('249592fc-d272');
    expect(responseIdOf('urn:li:leadGenFormResponse:../../x')).toBeUndefined();
    expect(responseIdOf('urn:li:leadGenFormResponse:')).toBeUndefined();
    expect(formOf('urn:li:versionedLeadGenForm:(urn:li:leadGenForm:7234246,1)')).toEqual({
      formId: '7234246',
      formVersion: '1',
    });
    expect(formOf('urn:li:leadGenForm:7234246')).toEqual({ formId: '7234246' });
    expect(formOf('urn:li:versionedLeadGenForm:(urn:li:leadGenForm:x,1)')).toBeUndefined();
    expect(formOf(undefined)).toBeUndefined();
    expect(urnId('urn:li:sponsoredCampaign:198356826')).toBe('198356826');
    expect(urnId('urn:li:sponsoredCampaign:')).toBeUndefined();
  });
});

describe('LinkedIn notifications', () => {
  it('reads the documented notification into the receipt payload', () => {
    expect(parse(notification())).toEqual({
      ok: true,
      notifications: [
        {
          responseId: '249592fc-d272-44ba-a7db-c2bdce579507-6',
          action: 'CREATED',
          formUrn: 'urn:li:versionedLeadGenForm:(urn:li:leadGenForm:7234246,1)',
          formId: '7234246',
          formVersion: '1',
          leadType: 'SPONSORED',
          owner: { sponsoredAccount: 'urn:li:sponsoredAccount:1234567' },
          associatedEntity: { sponsoredCreative: 'urn:li:sponsoredCreative:241257736' },
          occurredAt: new Date(1689894599288).toISOString(),
        },
      ],
      ignored: 0,
      unreadable: [],
      leftOut: [],
      repeated: 0,
    });
  });

  it('accepts an array of notifications too, and DELETED actions', () => {
    const result = parse([
      notification(),
      notification({ leadGenFormResponse: 'urn:li:leadGenFormResponse:abc-2', leadAction: 'DELETED' }),
    ]);
    if (!result.ok) throw new Error(result.message);
    expect(result.notifications.map((n) => [n.responseId, n.action])).toEqual([
      ['249592fc-d272-44ba-a7db-c2bdce579507-6', 'CREATED'],
      ['abc-2', 'DELETED'],
    ]);
  });

  it('keeps any associatedEntity key (sponsoredCreative, associatedCreative, event) and drops non-URNs', () => {
    const result = parse(
      notification({
        associatedEntity: { event: 'urn:li:event:7001', nested: { x: 1 } },
        owner: { organization: 'urn:li:organization:5' },
      }),
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.notifications[0]).toMatchObject({
      associatedEntity: { event: 'urn:li:event:7001' },
      owner: { organization: 'urn:li:organization:5' },
    });
  });

  it('ignores other types and actions, hands back unusable ids, and keeps a repeat once', () => {
    const result = parse([
      notification({ type: 'ORGANIZATION_SOCIAL_ACTION' }),
      notification({ leadAction: 'UPDATED' }),
      notification({ leadGenFormResponse: 'urn:li:leadGenFormResponse:bad id' }),
      notification({ leadGenFormResponse: undefined }),
      notification({ leadGenFormResponse: { id: 42 } }),
      notification({ leadAction: {} }),
      notification(),
      notification(),
      notification({ leadAction: 'DELETED' }),
    ]);
    expect(result).toMatchObject({ ok: true, ignored: 2, repeated: 1 });
    if (!result.ok) throw new Error(result.message);
    expect(result.notifications.map((n) => n.action)).toEqual(['CREATED', 'DELETED']);
    expect(result.unreadable.map((u) => u.reason)).toEqual([
      'lead action without a usable leadGenFormResponse',
      'lead action without a usable leadGenFormResponse',
      'lead action without a usable leadGenFormResponse',
      'lead notification without a readable leadAction',
    ]);
    expect(result.unreadable[2]?.item).toMatchObject({ leadGenFormResponse: { id: '42' } });
  });

  it('reads a lead whose other fields are unreadable, leaving out only those fields', () => {
    const result = parse(
      notification({ leadGenForm: {}, owner: 'acme', leadType: {}, occurredAt: [], associatedEntity: 1 }),
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.notifications).toEqual([
      { responseId: '249592fc-d272-44ba-a7db-c2bdce579507-6', action: 'CREATED' },
    ]);
    expect(result.leftOut.sort()).toEqual([
      'associatedEntity',
      'leadGenForm',
      'leadType',
      'occurredAt',
      'owner',
    ]);
    expect(result.unreadable).toEqual([]);
  });

  it('hands back items of a list that are not objects instead of failing the delivery', () => {
    const result = parse([1, null, notification()]);
    if (!result.ok) throw new Error(result.message);
    expect(result.notifications).toHaveLength(1);
    expect(result.unreadable).toEqual([
      { item: '1', reason: 'notification is not an object' },
      { item: null, reason: 'notification is not an object' },
    ]);
  });

  it('works without the optional fields', () => {
    const result = parse({ leadGenFormResponse: 'urn:li:leadGenFormResponse:x-1', leadAction: 'CREATED' });
    expect(result).toMatchObject({ ok: true, notifications: [{ responseId: 'x-1', action: 'CREATED' }] });
  });

  it('fails only an unreadable body', () => {
    for (const raw of ['{', '"x"', '[]', '1', 'null']) {
      expect(parseLinkedInWebhook(Buffer.from(raw)), raw).toMatchObject({ ok: false });
    }
  });
});
