import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { TableDesign } from '../../lib/adapters/dynamodb/table-design.js';
import type { LeadScore, StoredLead } from '../../lib/ports.js';
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
    const { receiptStore } = await freshStore();
    expect(await receiptStore.putReceipt(receipt('r1'))).toBe('created');
    expect(await receiptStore.putReceipt({ ...receipt('r1'), payload: 'changed' })).toBe('duplicate');
    const stored = await receiptStore.getReceipt({ source: 'form', platformLeadId: 'r1' });
    expect(stored?.payload).toEqual(receipt('r1').payload);
    expect(stored?.status).toBe('received');
  });

  it('keeps one receipt under ten concurrent puts', async () => {
    const { receiptStore } = await freshStore();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => receiptStore.putReceipt(receipt('r2'))),
    );
    expect(results.filter((r) => r === 'created')).toHaveLength(1);
  });

  it('updates receipt status and refuses to update a receipt that does not exist', async () => {
    const { receiptStore } = await freshStore();
    await receiptStore.putReceipt(receipt('r3'));
    await receiptStore.updateReceipt(
      { source: 'form', platformLeadId: 'r3' },
      { status: 'captured', leadId: 'ld_x' },
    );
    const stored = await receiptStore.getReceipt({ source: 'form', platformLeadId: 'r3' });
    expect(stored).toMatchObject({ status: 'captured', leadId: 'ld_x' });
    await expect(
      receiptStore.updateReceipt({ source: 'form', platformLeadId: 'nope' }, { status: 'captured' }),
    ).rejects.toThrow();
  });

  it('leaves a receipt whose status is guarded, and still refuses a missing one', async () => {
    const { receiptStore } = await freshStore();
    const k = { source: 'linkedin' as const, platformLeadId: 'guarded' };
    await receiptStore.putReceipt({
      ...k,
      receivedAt: '2026-11-30T10:00:00.000Z',
      status: 'received',
      payload: {},
    });
    expect(await receiptStore.updateReceipt(k, { status: 'deleted', unlessStatus: ['deleted'] })).toBe(true);
    expect(
      await receiptStore.updateReceipt(k, { status: 'captured', leadId: 'ld_g', unlessStatus: ['deleted'] }),
    ).toBe(false);
    expect(await receiptStore.getReceipt(k)).toMatchObject({ status: 'deleted' });
    expect((await receiptStore.getReceipt(k))?.leadId).toBeUndefined();
    await expect(
      receiptStore.updateReceipt(
        { ...k, platformLeadId: 'nope' },
        { status: 'captured', unlessStatus: ['deleted'] },
      ),
    ).rejects.toThrow(/does not exist/);
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

  it('reads the holders of several identity keys in one call, leaving out keys nobody holds', async () => {
    const { store } = await freshStore();
    await store.claimIdentity('hash-email', 'ct_1');
    await store.claimIdentity('hash-phone', 'ct_2');
    const holders = await store.getIdentities(['hash-email', 'hash-nobody', 'hash-phone']);
    expect([...holders]).toEqual([
      ['hash-email', 'ct_1'],
      ['hash-phone', 'ct_2'],
    ]);
    expect(await store.getIdentities([])).toEqual(new Map());
  });

  it('tells whether any of several key hashes is suppressed', async () => {
    const { store } = await freshStore();
    expect(await store.isSuppressed(['hash-a', 'hash-b'])).toBe(false);
    await store.suppress('hash-b', { at: '2026-11-30T12:00:00.000Z', reason: 'erased' });
    expect(await store.isSuppressed(['hash-a', 'hash-b'])).toBe(true);
    expect(await store.isSuppressed(['hash-a'])).toBe(false);
    expect(await store.isSuppressed([])).toBe(false);
  });

  it('ensureContact keeps the first birth time and returns the contact as stored', async () => {
    const { store } = await freshStore();
    const born = await store.ensureContact('ct_born', '2026-11-01T00:00:00.000Z');
    expect(born).toEqual({ contactId: 'ct_born', createdAt: '2026-11-01T00:00:00.000Z' });
    await store.markContactMerged('ct_born', 'ct_older', '2026-11-02T00:00:00.000Z');
    const again = await store.ensureContact('ct_born', '2026-11-30T00:00:00.000Z');
    expect(again).toEqual({
      contactId: 'ct_born',
      createdAt: '2026-11-01T00:00:00.000Z',
      mergedInto: 'ct_older',
    });
    expect(await store.getContactRef('ct_born')).toEqual(again);
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

const scored = (n: number): LeadScore => ({
  score: n,
  grade: 'B',
  stage: 'sales_development',
  breakdown: {
    fit: n,
    intent: 0,
    negative: 0,
    completeness: 0,
    reasons: [{ category: 'fit', rule: 'title', points: n, reason: 'VP title' }],
  },
  enrichment: { emailDomainClass: 'business' } as LeadScore['enrichment'],
  scoredAt: '2026-11-30T10:00:03.000Z',
});

const leadKey = (l: StoredLead) => ({
  pk: `CONTACT#${l.contactId}`,
  sk: `LEAD#${l.platformCreatedAt}#${l.leadId}`,
});

describe('DynamoDB lead store: cheap writes, keys-only indexes', () => {
  it('creates both GSIs with the projection TableDesign declares (keys only)', async () => {
    const { client, tableName } = await freshStore();
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const projections = Object.fromEntries(
      (Table?.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName, i.Projection?.ProjectionType]),
    );
    expect(projections).toEqual({ byId: 'KEYS_ONLY', byMonth: 'KEYS_ONLY' });
    expect(Object.values(TableDesign.indexes).map((i) => i.projection.type)).toEqual([
      'KEYS_ONLY',
      'KEYS_ONLY',
    ]);
  });

  it('keeps the score off the lead item, and every read returns it with the lead', async () => {
    const { store, doc, tableName } = await freshStore(() => new Date('2026-11-30T12:00:00Z'));
    const l = lead({ leadId: 'ld_sc', contactId: 'ct_sc' });
    await store.putLead(l);
    await store.upsertContact(
      {
        contactId: 'ct_sc',
        createdAt: l.capturedAt,
        updatedAt: l.capturedAt,
        lastLeadAt: l.capturedAt,
        leadCount: 1,
        sources: ['form'],
      },
      'ld_sc',
    );
    await store.saveScore(l, scored(66));
    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: leadKey(l) }));
    expect(Item?.lead).toEqual(l);
    expect((await store.getLead('ld_sc'))?.scoring).toEqual(scored(66));
    expect((await store.listLeads(10)).leads).toEqual([{ ...l, scoring: scored(66) }]);
    expect((await store.getContact('ct_sc'))?.leads).toEqual([{ ...l, scoring: scored(66) }]);
    expect((await store.getContact('ct_sc'))?.profile.bestScore).toBe(66);
    await expect(store.saveScore(lead({ leadId: 'ld_none', contactId: 'ct_x' }), scored(1))).rejects.toThrow(
      /does not exist/,
    );
  });

  it('still reads a score stored on the lead item before scores had their own item', async () => {
    const { store, doc, tableName } = await freshStore(() => new Date('2026-11-30T12:00:00Z'));
    const l = { ...lead({ leadId: 'ld_old', contactId: 'ct_old' }), scoring: scored(55) };
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...leadKey(l),
          type: 'lead',
          gsi1pk: 'LEAD#ld_old',
          gsi1sk: 'LEAD',
          gsi2pk: 'MONTH#2026-11',
          gsi2sk: `${l.receivedAt}#ld_old`,
          placedAt: l.capturedAt,
          lead: l,
        },
      }),
    );
    expect((await store.getLead('ld_old'))?.scoring?.score).toBe(55);
    expect((await store.listLeads(5)).leads[0]?.scoring?.score).toBe(55);
    // Erasing strips the inline score like any other.
    await store.eraseContact('ct_old', { erasureId: 'er_1', at: '2026-11-30T13:00:00.000Z' });
    expect((await store.getLead('ld_old'))?.scoring?.breakdown.reasons).toEqual([]);
  });

  it('strips the score of an erased lead and refuses a score that arrives later', async () => {
    const { store, doc, tableName } = await freshStore();
    const kept = lead({ leadId: 'ld_e1', contactId: 'ct_e' });
    const late = lead({ leadId: 'ld_e2', contactId: 'ct_e', platformLeadId: 'p2' });
    await store.putLead(kept);
    await store.putLead(late);
    await store.saveScore(kept, scored(80));
    await store.eraseContact('ct_e', { erasureId: 'er_2', at: '2026-11-30T13:00:00.000Z' });
    // A score whose event was in flight during the erasure.
    await store.saveScore(late, scored(90));
    const score = async (leadId: string) =>
      (await doc.send(new GetCommand({ TableName: tableName, Key: { pk: `SCORE#${leadId}`, sk: 'SCORE' } })))
        .Item;
    expect((await score('ld_e1'))?.scoring).toEqual({
      ...scored(80),
      breakdown: { ...scored(80).breakdown, reasons: [] },
      enrichment: {},
    });
    expect((await score('ld_e1'))?.deletedAt).toBe('2026-11-30T13:00:00.000Z');
    expect((await score('ld_e2'))?.scoring).toBeUndefined();
    expect((await store.getLead('ld_e1'))?.scoring?.score).toBe(80);
    expect((await store.getLead('ld_e1'))?.scoring?.enrichment).toEqual({});
    expect((await store.getLead('ld_e2'))?.scoring).toBeUndefined();
    // Erased leads are not listed, whatever the page size.
    expect((await store.listLeads(1)).leads).toEqual([]);
    // A re-run converges and writes nothing new.
    await store.eraseContact('ct_e', { erasureId: 'er_2', at: '2026-11-30T14:00:00.000Z' });
    expect((await score('ld_e1'))?.deletedAt).toBe('2026-11-30T13:00:00.000Z');
  });

  it('reads a lead at its key without its score, where a merge moved it, and stripped once erased', async () => {
    const { store } = await freshStore(() => new Date('2026-11-30T12:00:00Z'));
    const l = lead({
      leadId: 'ld_at',
      contactId: 'ct_young',
      attribution: { ...lead().attribution, landingUrl: 'https://x.example/?e=jane' },
    });
    await store.putLead(l);
    await store.saveScore(l, scored(61));
    expect(await store.getLeadAt(l)).toEqual(l);
    expect(await store.getLeadAt({ ...l, leadId: 'ld_none' })).toBeUndefined();

    // A merge moves the lead to the older contact: the event's key is stale, the id still finds it.
    await store.ensureContact('ct_old', '2026-11-01T00:00:00.000Z');
    await store.ensureContact('ct_young', '2026-11-30T10:00:02.000Z');
    await store.markContactMerged('ct_young', 'ct_old', '2026-11-30T12:00:00.000Z');
    await store.moveContactData('ct_young', 'ct_old');
    expect(await store.getLeadAt(l)).toEqual({ ...l, contactId: 'ct_old' });

    await store.eraseContact('ct_old', { erasureId: 'er_at', at: '2026-11-30T13:00:00.000Z' });
    const erased = await store.getLeadAt({ ...l, contactId: 'ct_old' });
    expect(erased).toMatchObject({
      leadId: 'ld_at',
      deletedAt: '2026-11-30T13:00:00.000Z',
      deletedReason: 'erased',
    });
    expect(erased?.email).toBeUndefined();
    expect(erased?.answers).toEqual([]);
    expect(erased?.attribution.landingUrl).toBeUndefined();
  });

  it('strips the score when the platform deletes the lead', async () => {
    const { store } = await freshStore();
    const l = lead({ leadId: 'ld_d', contactId: 'ct_d' });
    await store.putLead(l);
    await store.saveScore(l, scored(70));
    await store.deleteLeadData(l, '2026-11-30T13:00:00.000Z');
    expect((await store.getLead('ld_d'))?.scoring?.breakdown.reasons).toEqual([]);
    await store.saveScore(l, scored(75));
    expect((await store.getLead('ld_d'))?.scoring?.score).toBe(70);
  });

  it('stores a large raw payload compressed and hands it back as it came, a small one as is', async () => {
    const { receiptStore, doc, tableName } = await freshStore(() => new Date('2026-11-30T10:00:00.000Z'));
    const big = {
      ...receipt('big'),
      payload: { message: 'We would like a demo. '.repeat(60), n: 1, ok: true },
    };
    await receiptStore.putReceipt(big);
    await receiptStore.putReceipt(receipt('small'));
    const raw = async (id: string) =>
      (
        await doc.send(
          new GetCommand({ TableName: tableName, Key: { pk: `RECEIPT#form#${id}`, sk: 'RECEIPT' } }),
        )
      ).Item?.payload;
    expect(await raw('big')).toBeInstanceOf(Uint8Array);
    expect(((await raw('big')) as Uint8Array).byteLength).toBeLessThan(
      JSON.stringify(big.payload).length / 4,
    );
    expect(await raw('small')).toEqual(receipt('small').payload);
    expect((await receiptStore.getReceipt({ source: 'form', platformLeadId: 'big' }))?.payload).toEqual(
      big.payload,
    );
    const pending = await receiptStore.listPendingReceipts({
      since: '2026-11-30T00:00:00.000Z',
      before: '2026-11-30T11:00:00.000Z',
      limit: 10,
    });
    expect(pending.receipts.find((r) => r.platformLeadId === 'big')?.payload).toEqual(big.payload);
    await receiptStore.updateReceipt(
      { source: 'form', platformLeadId: 'big' },
      { status: 'failed', statusReason: 'x' },
    );
    const failed = await receiptStore.listReceipts('form', 'failed', 10);
    expect(failed.receipts.map((r) => [r.platformLeadId, r.payload])).toEqual([['big', big.payload]]);
  });
});
