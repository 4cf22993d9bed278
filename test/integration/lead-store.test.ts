import { describe, expect, it } from 'vitest';
import type { StoredLead } from '../../lib/ports.js';
import { freshStore } from '../support/store.js';

const receipt = (id: string) => ({
  source: 'form' as const,
  platformLeadId: id,
  receivedAt: '2026-11-30T10:00:00.000Z',
  status: 'received' as const,
  payload: { any: 'thing', big: '123456789012345678901' },
});

function lead(overrides: Partial<StoredLead> = {}): StoredLead {
  return {
    leadId: 'ld_one',
    contactId: 'ct_one',
    source: 'form',
    platformLeadId: 'p1',
    platformCreatedAt: '2026-11-30T10:00:00.000Z',
    receivedAt: '2026-11-30T10:00:01.000Z',
    capturedAt: '2026-11-30T10:00:02.000Z',
    email: 'jane@acme.com',
    answers: [{ key: 'interests', values: ['a', 'b'] }],
    attribution: { source: 'form', formId: 'contact', utm: {} },
    consents: [],
    context: {},
    isTest: false,
    ...overrides,
  };
}

describe('DynamoDB lead store (dynalite)', () => {
  it('creates a receipt once and reports every later put as a duplicate', async () => {
    const { store } = await freshStore();
    expect(await store.putReceipt(receipt('r1'))).toBe('created');
    expect(await store.putReceipt({ ...receipt('r1'), payload: 'changed' })).toBe('duplicate');
    const stored = await store.getReceipt({ source: 'form', platformLeadId: 'r1' });
    expect(stored?.payload).toEqual(receipt('r1').payload);
    expect(stored?.status).toBe('received');
  });

  it('keeps one receipt under ten concurrent puts', async () => {
    const { store } = await freshStore();
    const results = await Promise.all(Array.from({ length: 10 }, () => store.putReceipt(receipt('r2'))));
    expect(results.filter((r) => r === 'created')).toHaveLength(1);
  });

  it('updates receipt status and refuses to update a receipt that does not exist', async () => {
    const { store } = await freshStore();
    await store.putReceipt(receipt('r3'));
    await store.updateReceipt(
      { source: 'form', platformLeadId: 'r3' },
      { status: 'captured', leadId: 'ld_x' },
    );
    const stored = await store.getReceipt({ source: 'form', platformLeadId: 'r3' });
    expect(stored).toMatchObject({ status: 'captured', leadId: 'ld_x' });
    await expect(
      store.updateReceipt({ source: 'form', platformLeadId: 'nope' }, { status: 'captured' }),
    ).rejects.toThrow();
  });

  it('lets exactly one contact claim an identity key under concurrency', async () => {
    const { store } = await freshStore();
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.claimIdentity('hash-1', `ct_${i}`)),
    );
    const winners = claims.filter((c) => c.claimed);
    expect(winners).toHaveLength(1);
    const holder = winners[0]?.contactId;
    expect(new Set(claims.map((c) => c.contactId))).toEqual(new Set([holder]));
    expect(await store.getIdentity('hash-1')).toBe(holder);
  });

  it('stores a lead once, finds it by id and lists leads newest first with a cursor', async () => {
    const { store } = await freshStore(() => new Date('2026-11-30T12:00:00Z'));
    const leads = [
      lead({ leadId: 'ld_a', receivedAt: '2026-09-28T09:00:00.000Z' }),
      lead({ leadId: 'ld_b', receivedAt: '2026-11-30T09:00:00.000Z' }),
      lead({ leadId: 'ld_c', receivedAt: '2026-11-30T11:00:00.000Z' }),
    ];
    for (const l of leads) await store.putLead(l);
    await store.putLead({ ...(leads[0] as StoredLead), company: 'overwritten?' });
    expect((await store.getLead('ld_a'))?.company).toBeUndefined();
    expect(await store.getLead('ld_missing')).toBeUndefined();

    const first = await store.listLeads(2);
    expect(first.leads.map((l) => l.leadId)).toEqual(['ld_c', 'ld_b']);
    expect(first.cursor).toBeDefined();
    const second = await store.listLeads(2, first.cursor);
    expect(second.leads.map((l) => l.leadId)).toEqual(['ld_a']);
  });

  it('rejects a cursor it did not issue', async () => {
    const { store } = await freshStore();
    await expect(store.listLeads(5, 'not-a-cursor')).rejects.toThrow(/cursor/);
  });

  it('merges a contact profile once per lead and returns profile, touches and consent', async () => {
    const { store } = await freshStore();
    const profile = {
      contactId: 'ct_m',
      createdAt: '2026-11-30T10:00:00.000Z',
      updatedAt: '2026-11-30T10:00:00.000Z',
      lastLeadAt: '2026-11-30T10:00:00.000Z',
      leadCount: 1,
      sources: ['form' as const],
      email: 'jane@acme.com',
    };
    await store.upsertContact(profile, 'ld_1');
    await store.upsertContact(profile, 'ld_1');
    await store.upsertContact({ ...profile, company: 'Acme', sources: ['meta'] }, 'ld_2');
    await store.putLead(lead({ leadId: 'ld_1', contactId: 'ct_m' }));
    await store.putConsent({
      contactId: 'ct_m',
      leadId: 'ld_1',
      purpose: 'marketing_email',
      key: 'opt_in',
      granted: true,
      at: '2026-11-30T10:00:00.000Z',
      noticeText: 'text',
      noticeVersion: 'v1',
      noticeHash: 'h',
      method: 'web_checkbox',
      source: 'form',
    });
    const view = await store.getContact('ct_m');
    expect(view?.profile).toMatchObject({ leadCount: 2, company: 'Acme', email: 'jane@acme.com' });
    expect(view?.profile.sources).toEqual(['form', 'meta']);
    expect(view?.leads.map((l) => l.leadId)).toEqual(['ld_1']);
    expect(view?.consents).toHaveLength(1);
    expect(await store.getContact('ct_none')).toBeUndefined();
  });

  it('saves a score on the lead and keeps the best score on the profile', async () => {
    const { store } = await freshStore();
    const l = lead({ leadId: 'ld_s', contactId: 'ct_s' });
    await store.putLead(l);
    const base = {
      contactId: 'ct_s',
      createdAt: l.capturedAt,
      updatedAt: l.capturedAt,
      lastLeadAt: l.capturedAt,
      leadCount: 1,
      sources: ['form' as const],
    };
    await store.upsertContact(base, 'ld_s');
    const score = (n: number, stage: string) => ({
      score: n,
      grade: 'B',
      stage,
      breakdown: { fit: n, intent: 0, negative: 0, completeness: 0, reasons: [] },
      enrichment: {},
      scoredAt: '2026-11-30T10:00:03.000Z',
    });
    await store.saveScore(l, score(70, 'sales_development'));
    await store.saveScore(l, score(40, 'nurture'));
    expect((await store.getLead('ld_s'))?.scoring?.score).toBe(40);
    expect((await store.getContact('ct_s'))?.profile).toMatchObject({
      bestScore: 70,
      lifecycleStage: 'sales_development',
    });
  });

  it('gives an alert to exactly one of many concurrent claimers, and again only after a failure', async () => {
    const { store } = await freshStore();
    const at = '2026-11-30T10:00:00.000Z';
    const claims = await Promise.all(Array.from({ length: 10 }, () => store.claimAlert('ld_al', at)));
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    expect(await store.claimAlert('ld_al', at)).toEqual({ claimed: false, status: 'sending' });
    await store.completeAlert('ld_al', { status: 'failed', at });
    expect(await store.claimAlert('ld_al', at)).toEqual({ claimed: true });
    await store.completeAlert('ld_al', { status: 'sent', at });
    expect(await store.claimAlert('ld_al', '2026-12-30T10:00:00.000Z')).toEqual({
      claimed: false,
      status: 'sent',
    });
  });

  it('reclaims an alert whose sender died after its lease ran out', async () => {
    const { store } = await freshStore();
    expect(await store.claimAlert('ld_lease', '2026-11-30T10:00:00.000Z')).toEqual({ claimed: true });
    expect((await store.claimAlert('ld_lease', '2026-11-30T10:00:30.000Z')).claimed).toBe(false);
    expect(await store.claimAlert('ld_lease', '2026-11-30T10:05:00.000Z')).toEqual({ claimed: true });
  });

  it('reports suppression only for suppressed keys', async () => {
    const { store, doc, tableName } = await freshStore();
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    await doc.send(new PutCommand({ TableName: tableName, Item: { pk: 'SUPPRESS#bad', sk: 'SUPPRESS' } }));
    expect(await store.isSuppressed(['good', 'bad'])).toBe(true);
    expect(await store.isSuppressed(['good'])).toBe(false);
  });
});
