import { describe, expect, it } from 'vitest';
import {
  consentRecordsFor,
  consentState,
  grantsFreshConsent,
  proofOf,
  withdrawalRecord,
} from '../../../lib/consent/ledger.js';
import { consentProofHash, sha256Hex } from '../../../lib/consent/proof.js';
import type { ConsentRecord, StoredLead } from '../../../lib/ports.js';

const payload = { email: 'jane@acme.io', news: 'on' };

function lead(overrides: Partial<StoredLead> = {}): StoredLead {
  return {
    leadId: 'ld_1',
    contactId: 'ct_1',
    source: 'form',
    platformLeadId: 's_1',
    platformCreatedAt: '2026-11-30T10:00:00.000Z',
    receivedAt: '2026-11-30T10:00:00.100Z',
    capturedAt: '2026-11-30T10:00:00.300Z',
    email: 'jane@acme.io',
    answers: [],
    attribution: {
      source: 'form',
      formId: 'contact',
      utm: {},
      landingUrl: 'https://www.example.com/demo',
    },
    consents: [
      {
        purpose: 'marketing_email',
        key: 'news',
        noticeText: 'Send me news',
        noticeVersion: 'v1',
        granted: true,
        method: 'web_checkbox',
        required: false,
      },
      {
        purpose: 'phone_sms',
        key: 'sms',
        noticeText: 'Text me',
        noticeVersion: 'v1',
        granted: false,
        method: 'web_checkbox',
        required: false,
      },
    ],
    context: { ip: '203.0.113.7', userAgent: 'ua/1' },
    isTest: false,
    ...overrides,
  };
}

describe('consentRecordsFor', () => {
  it('writes one record per choice, declined ones too, with who, when, what, how, where and the proof', () => {
    const records = consentRecordsFor(
      lead(),
      { receipt: { source: 'form', platformLeadId: 's_1' }, payload },
      '2026-11-30T10:00:00.400Z',
    );
    expect(records).toHaveLength(2);
    expect(records[0]).toEqual({
      contactId: 'ct_1',
      leadId: 'ld_1',
      purpose: 'marketing_email',
      key: 'news',
      granted: true,
      at: '2026-11-30T10:00:00.000Z',
      noticeText: 'Send me news',
      noticeVersion: 'v1',
      noticeHash: sha256Hex('Send me news'),
      method: 'web_checkbox',
      source: 'form',
      formId: 'contact',
      pageUrl: 'https://www.example.com/demo',
      ip: '203.0.113.7',
      userAgent: 'ua/1',
      required: false,
      proofHash: consentProofHash({
        submission: payload,
        noticeText: 'Send me news',
        noticeVersion: 'v1',
        purpose: 'marketing_email',
        granted: true,
        at: '2026-11-30T10:00:00.000Z',
      }),
      submission: { source: 'form', platformLeadId: 's_1' },
      recordedAt: '2026-11-30T10:00:00.400Z',
    });
    expect(records[1]).toMatchObject({ purpose: 'phone_sms', granted: false });
    expect(records[1]?.proofHash).not.toBe(records[0]?.proofHash);
  });

  it('names the platform page for platform leads, and no web page', () => {
    const [record] = consentRecordsFor(
      lead({
        source: 'meta',
        attribution: {
          source: 'meta',
          formId: '123',
          pageId: '456',
          utm: {},
          landingUrl: 'https://x.example',
        },
        context: {},
      }),
      { receipt: { source: 'meta', platformLeadId: '900' }, payload: { leadgenId: '900' } },
      '2026-11-30T10:00:00.400Z',
    );
    expect(record).toMatchObject({ source: 'meta', formId: '123', pageId: '456' });
    expect(record).not.toHaveProperty('pageUrl');
    expect(record).not.toHaveProperty('ip');
  });
});

describe('withdrawals and consent state', () => {
  const granted = consentRecordsFor(
    lead(),
    { receipt: { source: 'form', platformLeadId: 's_1' }, payload },
    '2026-11-30T10:00:00.400Z',
  );

  it('records a withdrawal as a new record, naming no identifier in its proof', () => {
    const w = withdrawalRecord({
      contactId: 'ct_1',
      purpose: 'marketing_email',
      at: '2026-12-01T09:00:00.000Z',
      requestId: 'req-1',
      noticeVersion: 'v1',
    });
    expect(w).toMatchObject({
      granted: false,
      method: 'withdrawal',
      source: 'privacy_api',
      noticeVersion: 'v1',
      requestId: 'req-1',
    });
    expect(w.recordId).toMatch(/^wd_/);
    expect(w.leadId).toBeUndefined();
    expect(
      withdrawalRecord({ contactId: 'ct_1', purpose: 'marketing_email', at: w.at, requestId: 'req-1' })
        .recordId,
    ).toBe(w.recordId);
  });

  it('takes the latest record per purpose, whatever order they come in', () => {
    const w = withdrawalRecord({
      contactId: 'ct_1',
      purpose: 'marketing_email',
      at: '2026-12-01T09:00:00.000Z',
      requestId: 'req-1',
    });
    const later: ConsentRecord = {
      ...(granted[0] as ConsentRecord),
      at: '2026-12-02T00:00:00.000Z',
      leadId: 'ld_2',
    };
    expect(consentState([w, ...granted]).map((s) => [s.purpose, s.granted, s.method])).toEqual([
      ['marketing_email', false, 'withdrawal'],
      ['phone_sms', false, 'web_checkbox'],
    ]);
    // A fresh consent after the withdrawal grants again.
    expect(consentState([later, w, ...granted])[0]).toMatchObject({ granted: true, since: later.at });
  });

  it('keeps a proof without personal parts', () => {
    const proof = proofOf(granted[0] as ConsentRecord);
    expect(proof).toEqual({
      purpose: 'marketing_email',
      granted: true,
      at: '2026-11-30T10:00:00.000Z',
      method: 'web_checkbox',
      source: 'form',
      noticeVersion: 'v1',
      noticeHash: sha256Hex('Send me news'),
      proofHash: granted[0]?.proofHash,
      leadId: 'ld_1',
    });
  });

  it('counts only a real, explicit grant as fresh consent', () => {
    expect(grantsFreshConsent(lead().consents)).toBe(true);
    expect(grantsFreshConsent([])).toBe(false);
    expect(
      grantsFreshConsent([
        {
          purpose: 'p',
          key: 'k',
          noticeText: 't',
          noticeVersion: 'v',
          granted: true,
          method: 'implied',
          required: true,
        },
      ]),
    ).toBe(false);
    expect(grantsFreshConsent(lead().consents.map((c) => ({ ...c, granted: false })))).toBe(false);
  });
});
