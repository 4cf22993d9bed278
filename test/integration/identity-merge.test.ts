import { describe, expect, it } from 'vitest';
import type { ContactsMergedV1, LeadCapturedV2 } from '../../events/contracts.js';
import { createAdminHttpHandler } from '../../lib/handlers/http-admin.js';
import { identityKeyFor } from '../../lib/lead/identity.js';
import type { RawLead } from '../../lib/lead/model.js';
import { capture } from '../../lib/pipeline/capture.js';
import { rootOf } from '../../lib/pipeline/identity-resolution.js';
import { ingest } from '../../lib/pipeline/ingest.js';
import type { LeadStore } from '../../lib/ports.js';
import { fakeDeps, fixedClock, httpEvent, recordingBus, recordingQueue } from '../support/fakes.js';
import { freshStore } from '../support/store.js';

const PEPPER = 'test-pepper';

function rawLead(id: string, person: { email?: string; phone?: string; fullName?: string }): RawLead {
  return {
    source: 'form',
    platformLeadId: id,
    platformCreatedAt: '2026-11-30T09:00:00.000Z',
    ...person,
    answers: [],
    attribution: { source: 'form', formId: 'contact', utm: {} },
    consents: [
      {
        purpose: 'marketing_email',
        key: 'news',
        noticeText: 'Send me news',
        noticeVersion: 'v1',
        granted: true,
        method: 'web_checkbox',
      },
    ],
    context: {},
  };
}

async function setup(wrap?: (store: LeadStore) => LeadStore) {
  const { store, receiptStore } = await freshStore();
  const bus = recordingBus();
  const clock = fixedClock('2026-11-30T10:00:00.000Z');
  const deps = fakeDeps({
    store: wrap ? wrap(store) : store,
    receipts: receiptStore,
    bus,
    clock,
    captureQueue: recordingQueue(),
  });
  const submit = async (lead: RawLead) => {
    await ingest(deps, { source: 'form', platformLeadId: lead.platformLeadId, payload: lead });
    const outcome = await capture(deps, { source: 'form', platformLeadId: lead.platformLeadId });
    if (outcome.status !== 'captured') throw new Error(`not captured: ${outcome.status}`);
    return outcome;
  };
  const events = <T>(type: string) =>
    bus.events.filter((e) => e.detailType === type).map((e) => e.detail as T);
  return { deps, store, bus, clock, submit, events };
}

const email = 'jane@acme.io';
const phone = '+14155552671';

describe('one person across submissions: merges', () => {
  it('merges the younger contact into the older when one submission matches both, with a log and an event', async () => {
    const t = await setup();
    const a = await t.submit(rawLead('a', { email, fullName: 'Jane Doe' }));
    t.clock.set('2026-11-30T11:00:00.000Z');
    const b = await t.submit(rawLead('b', { phone }));
    expect(b.contactId).not.toBe(a.contactId);

    t.clock.set('2026-11-30T12:00:00.000Z');
    const c = await t.submit(rawLead('c', { email, phone }));
    expect(c.contactId).toBe(a.contactId);

    // The loser points at the survivor; its id still resolves.
    expect(await t.store.getContactRef(b.contactId)).toMatchObject({ mergedInto: a.contactId });
    expect((await rootOf(t.store, b.contactId)).contactId).toBe(a.contactId);
    // Every lead and consent record lives under the survivor; the loser's partition keeps only its pointer.
    const survivor = await t.store.getContact(a.contactId);
    expect(survivor?.leads.map((l) => l.leadId).sort()).toEqual([a.leadId, b.leadId, c.leadId].sort());
    expect(survivor?.leads.every((l) => l.contactId === a.contactId)).toBe(true);
    expect(survivor?.consents).toHaveLength(3);
    expect(survivor?.profile).toMatchObject({ leadCount: 3, email, phone, fullName: 'Jane Doe' });
    const loser = await t.store.getContact(b.contactId);
    expect(loser?.leads).toEqual([]);
    expect(loser?.consents).toEqual([]);
    expect(loser?.profile.phone).toBeUndefined();
    // The phone key now names the survivor directly; the lead is found by id at its new place.
    expect(await t.store.getIdentity(identityKeyFor(PEPPER, 'phone', phone).hash)).toBe(a.contactId);
    expect((await t.store.getLead(b.leadId))?.contactId).toBe(a.contactId);
    // Log and event.
    expect(survivor?.merges).toEqual([
      expect.objectContaining({
        survivorId: a.contactId,
        mergedId: b.contactId,
        leadIds: [b.leadId],
        matchedOn: ['email', 'phone'],
        publishedAt: expect.any(String),
      }),
    ]);
    expect(t.events<ContactsMergedV1>('ContactsMerged')).toEqual([
      {
        version: '1',
        contactId: a.contactId,
        mergedContactId: b.contactId,
        leadIds: [b.leadId],
        matchedOn: ['email', 'phone'],
        mergedAt: '2026-11-30T12:00:00.000Z',
      },
    ]);
    expect(t.events<LeadCapturedV2>('LeadCaptured').at(-1)?.contactId).toBe(a.contactId);
  });

  it('keeps the older contact whichever key matched it', async () => {
    const t = await setup();
    const byPhone = await t.submit(rawLead('p', { phone }));
    t.clock.set('2026-11-30T11:00:00.000Z');
    const byEmail = await t.submit(rawLead('e', { email }));
    t.clock.set('2026-11-30T12:00:00.000Z');
    const both = await t.submit(rawLead('both', { email, phone }));
    expect(both.contactId).toBe(byPhone.contactId);
    expect((await t.store.getContactRef(byEmail.contactId))?.mergedInto).toBe(byPhone.contactId);
  });

  it('serves a merged contact id through the admin API as the survivor, with its timeline', async () => {
    const t = await setup();
    const a = await t.submit(rawLead('a', { email }));
    t.clock.set('2026-11-30T11:00:00.000Z');
    const b = await t.submit(rawLead('b', { phone }));
    t.clock.set('2026-11-30T12:00:00.000Z');
    await t.submit(rawLead('c', { email, phone }));
    const admin = createAdminHttpHandler(t.deps);
    const res = await admin(
      httpEvent({
        method: 'GET',
        routeKey: 'GET /api/contacts/{contactId}',
        path: `/api/contacts/${b.contactId}`,
        pathParameters: { contactId: b.contactId },
        headers: { authorization: 'Bearer admin-token' },
      }),
    );
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body as string);
    expect(body.profile.contactId).toBe(a.contactId);
    expect(body.requestedContactId).toBe(b.contactId);
    expect(body.timeline.map((e: { kind: string }) => e.kind)).toEqual(['lead', 'lead', 'lead', 'merged']);
    expect(body.consentState).toEqual([
      expect.objectContaining({ purpose: 'marketing_email', granted: true }),
    ]);
  });

  it('treats provider variants of one mailbox as one person', async () => {
    const t = await setup();
    const a = await t.submit(rawLead('g1', { email: 'Jane.Doe+FB@gmail.com' }));
    const b = await t.submit(rawLead('g2', { email: 'janedoe@googlemail.com' }));
    expect(b.contactId).toBe(a.contactId);
    // The stored email is what the person typed (normalised), not the canonical mailbox.
    expect((await t.store.getLead(a.leadId))?.email).toBe('jane.doe+fb@gmail.com');
  });

  it('saves a score for a lead a merge moved after its event was published', async () => {
    const t = await setup();
    const a = await t.submit(rawLead('a', { email }));
    t.clock.set('2026-11-30T11:00:00.000Z');
    const b = await t.submit(rawLead('b', { phone }));
    const stale = await t.store.getLead(b.leadId);
    t.clock.set('2026-11-30T12:00:00.000Z');
    await t.submit(rawLead('c', { email, phone }));
    if (!stale) throw new Error('no lead');
    const score = {
      score: 77,
      grade: 'B',
      stage: 'sales_development',
      scoredAt: '2026-11-30T12:00:01.000Z',
      breakdown: { fit: 0, intent: 0, negative: 0, completeness: 0, reasons: [] },
      enrichment: {},
    };
    await t.store.saveScore(stale, score);
    expect((await t.store.getLead(b.leadId))?.scoring?.score).toBe(77);
    expect((await t.store.getContact(a.contactId))?.profile.bestScore).toBe(77);
  });

  it('finishes a merge that crashed half-way when the capture is retried', async () => {
    let failOnce = true;
    const t = await setup((store) => ({
      ...store,
      moveContactData: async (from, to) => {
        if (failOnce) {
          failOnce = false;
          throw new Error('crash');
        }
        return store.moveContactData(from, to);
      },
    }));
    const a = await t.submit(rawLead('a', { email }));
    t.clock.set('2026-11-30T11:00:00.000Z');
    const b = await t.submit(rawLead('b', { phone }));
    t.clock.set('2026-11-30T12:00:00.000Z');
    await expect(t.submit(rawLead('c', { email, phone }))).rejects.toThrow('crash');
    // The pointer was set before the crash; the retry (the queue redelivers) completes the move.
    expect((await t.store.getContactRef(b.contactId))?.mergedInto).toBe(a.contactId);
    const outcome = await capture(t.deps, { source: 'form', platformLeadId: 'c' });
    expect(outcome).toMatchObject({ status: 'captured', contactId: a.contactId });
    expect((await t.store.getContact(a.contactId))?.leads).toHaveLength(3);
    expect((await t.store.getContact(b.contactId))?.leads).toEqual([]);
    expect(t.events<ContactsMergedV1>('ContactsMerged').map((e) => e.mergedContactId)).toEqual([b.contactId]);
  });
});

describe('one person across submissions: concurrency', () => {
  it('merges once under ten concurrent submissions that each match both contacts', async () => {
    const t = await setup();
    const a = await t.submit(rawLead('a', { email }));
    t.clock.set('2026-11-30T11:00:00.000Z');
    const b = await t.submit(rawLead('b', { phone }));
    t.clock.set('2026-11-30T12:00:00.000Z');
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => t.submit(rawLead(`both-${i}`, { email, phone }))),
    );
    expect(new Set(outcomes.map((o) => o.contactId))).toEqual(new Set([a.contactId]));
    const survivor = await t.store.getContact(a.contactId);
    expect(survivor?.leads).toHaveLength(12);
    expect(survivor?.profile.leadCount).toBe(12);
    expect(survivor?.merges.map((m) => m.mergedId)).toEqual([b.contactId]);
    expect((await t.store.getContact(b.contactId))?.leads).toEqual([]);
    // At least once, and only ever about this pair.
    const merged = t.events<ContactsMergedV1>('ContactsMerged');
    expect(merged.length).toBeGreaterThanOrEqual(1);
    expect(new Set(merged.map((m) => `${m.contactId}<-${m.mergedContactId}`))).toEqual(
      new Set([`${a.contactId}<-${b.contactId}`]),
    );
    expect(
      t
        .events<LeadCapturedV2>('LeadCaptured')
        .slice(2)
        .every((e) => e.contactId === a.contactId),
    ).toBe(true);
  });

  it('never leaves two contacts when first submissions of one person race with overlapping keys', async () => {
    const t = await setup();
    const emails = ['jane@acme.io', 'jane.doe@corp.example', 'jd@home.example'];
    const phones = ['+14155552671', '+14155552672', '+14155552673'];
    // Each submission shares a key with at least one other: together they are one person.
    const leads = Array.from({ length: 12 }, (_, i) =>
      rawLead(`r${i}`, { email: emails[i % 3], phone: phones[Math.floor(i / 4) % 3] }),
    );
    const outcomes = await Promise.all(leads.map((l) => t.submit(l)));
    const roots = new Set(
      await Promise.all(outcomes.map(async (o) => (await rootOf(t.store, o.contactId)).contactId)),
    );
    expect(roots.size).toBe(1);
    const [root] = [...roots] as [string];
    const view = await t.store.getContact(root);
    expect(view?.leads.map((l) => l.leadId).sort()).toEqual(outcomes.map((o) => o.leadId).sort());
    expect(view?.profile.leadCount).toBe(12);
    expect(view?.consents).toHaveLength(12);
    for (const value of [...emails.map((e) => ['email', e]), ...phones.map((p) => ['phone', p])]) {
      const [kind, id] = value as ['email' | 'phone', string];
      const holder = await t.store.getIdentity(identityKeyFor(PEPPER, kind, id).hash);
      expect((await rootOf(t.store, holder as string)).contactId, id).toBe(root);
    }
    // No lead is left behind under a merged contact.
    for (const merge of view?.merges ?? []) {
      expect((await t.store.getContact(merge.mergedId))?.leads).toEqual([]);
    }
  });

  it('gives ten concurrent first submissions of one person one contact and no merge', async () => {
    const t = await setup();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => t.submit(rawLead(`n${i}`, { email, phone }))),
    );
    expect(new Set(outcomes.map((o) => o.contactId)).size).toBe(1);
    expect(t.events('ContactsMerged')).toEqual([]);
  });
});
