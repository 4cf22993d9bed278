import { gunzipSync } from 'node:zlib';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { ConsentWithdrawnV1, ContactErasedV1, LeadCapturedV1 } from '../../events/contracts.js';
import { consentProofHash } from '../../lib/consent/proof.js';
import { createAdminHttpHandler } from '../../lib/handlers/http-admin.js';
import { createPrivacyHttpHandler } from '../../lib/handlers/http-privacy.js';
import { identityKeyFor } from '../../lib/lead/identity.js';
import type { RawLead } from '../../lib/lead/model.js';
import { capture } from '../../lib/pipeline/capture.js';
import { ingest } from '../../lib/pipeline/ingest.js';
import { erasePerson } from '../../lib/pipeline/privacy.js';
import type { ConsentRecord, LeadStore } from '../../lib/ports.js';
import { HttpRoutes } from '../../lib/routes.js';
import {
  fakeDeps,
  fixedClock,
  httpEvent,
  recordingBus,
  recordingQueue,
  testConfig,
} from '../support/fakes.js';
import { freshStore } from '../support/store.js';

/** Sets as lists and gzip-compressed receipt payloads (the table's only Binary values) as their text. */
const readable = (_key: string, value: unknown) =>
  value instanceof Set
    ? [...value]
    : value instanceof Uint8Array
      ? gunzipSync(value).toString('utf8')
      : value;

const PEPPER = 'test-pepper';
const jane = {
  email: 'Jane.Doe@Acme.io',
  phone: '+1 415 555 2671',
  fullName: 'Jane Quinlan-Doe',
  company: 'Acme Rockets',
  answer: 'We need 40 seats by March',
  ip: '198.51.100.23',
  userAgent: 'JaneBrowser/7.1',
};
const bob = { email: 'bob@bobs-burgers.example', phone: '+14155550199', fullName: 'Bob Belcher' };

function rawLead(
  id: string,
  person: Partial<RawLead> & { answer?: string; ip?: string; userAgent?: string },
  form = 'contact',
): RawLead {
  const { answer, ip, userAgent, ...fields } = person;
  return {
    source: 'form',
    platformLeadId: id,
    platformCreatedAt: '2026-11-30T09:00:00.000Z',
    answers: answer ? [{ key: 'needs', values: [answer] }] : [],
    attribution: {
      source: 'form',
      formId: form,
      utm: { source: 'google' },
      landingUrl: `https://www.example.com/demo?gclid=g-${id}`,
      clickIds: { gclid: `g-${id}` },
    },
    consents: [
      {
        purpose: 'marketing_email',
        key: 'news',
        noticeText: 'Send me news',
        noticeVersion: 'v1',
        granted: true,
        method: 'web_checkbox',
      },
      {
        purpose: 'phone_sms',
        key: 'sms',
        noticeText: 'Text me offers',
        noticeVersion: 'v1',
        granted: true,
        method: 'web_checkbox',
      },
    ],
    context: { ...(ip ? { ip } : {}), ...(userAgent ? { userAgent } : {}) },
    ...fields,
  };
}

const janeLead = (id: string, extra: Partial<RawLead> = {}, form?: string) =>
  rawLead(
    id,
    {
      email: jane.email,
      phone: jane.phone,
      fullName: jane.fullName,
      company: jane.company,
      answer: jane.answer,
      ip: jane.ip,
      userAgent: jane.userAgent,
      ...extra,
    },
    form,
  );

async function setup(wrap?: (store: LeadStore) => LeadStore) {
  const { store, doc, tableName } = await freshStore();
  const bus = recordingBus();
  const clock = fixedClock('2026-11-30T10:00:00.000Z');
  const deps = fakeDeps({
    store: wrap ? wrap(store) : store,
    bus,
    clock,
    captureQueue: recordingQueue(),
    config: testConfig({
      forms: { contact: {}, optin: { acceptFreshConsent: true } },
      privacy: { receiptRetentionDays: 7 },
    }),
  });
  const submit = async (lead: RawLead) => {
    await ingest(deps, { source: 'form', platformLeadId: lead.platformLeadId, payload: lead });
    return capture(deps, { source: 'form', platformLeadId: lead.platformLeadId });
  };
  const captured = async (lead: RawLead) => {
    const outcome = await submit(lead);
    if (outcome.status !== 'captured') throw new Error(`not captured: ${outcome.status}`);
    return outcome;
  };
  const privacy = createPrivacyHttpHandler(deps);
  const admin = createAdminHttpHandler(deps);
  const auth = { authorization: 'Bearer admin-token' };
  const call = async (
    route: string,
    options: { query?: Record<string, string>; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const [method, path] = route.split(' ') as [string, string];
    const res = await privacy(
      httpEvent({
        method,
        routeKey: route,
        path,
        ...(options.query ? { query: options.query } : {}),
        headers: { 'content-type': 'application/json', ...(options.headers ?? auth) },
        ...(options.body !== undefined
          ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
          : {}),
      }),
    );
    return { status: res.statusCode, body: JSON.parse(res.body as string) };
  };
  const adminGet = async (routeKey: string, path: string, pathParameters: Record<string, string>) => {
    const res = await admin(httpEvent({ method: 'GET', routeKey, path, pathParameters, headers: auth }));
    return { status: res.statusCode, body: JSON.parse(res.body as string) };
  };
  const events = <T>(type: string) =>
    bus.events.filter((e) => e.detailType === type).map((e) => e.detail as T);
  /** Every item of the table as text (Sets and compressed payloads included), to look for personal data anywhere. */
  const tableText = async () => {
    const { Items } = await doc.send(new ScanCommand({ TableName: tableName }));
    return (Items ?? []).map((i) => JSON.stringify(i, readable)).join('\n');
  };
  return { deps, store, bus, clock, submit, captured, call, adminGet, events, tableText };
}

/** Jane: two leads on two contacts (email-only, then phone-only) merged by a third; Bob: one lead. */
async function seed(t: Awaited<ReturnType<typeof setup>>) {
  const first = await t.captured(janeLead('j1', { phone: undefined }));
  t.clock.set('2026-11-30T11:00:00.000Z');
  const second = await t.captured(janeLead('j2', { email: undefined, phone: '(415) 555-2671' }));
  t.clock.set('2026-11-30T12:00:00.000Z');
  const third = await t.captured(janeLead('j3'));
  const bobs = await t.captured(rawLead('b1', { ...bob, answer: 'burgers' }));
  await t.store.claimAlert(third.leadId, '2026-11-30T12:00:01.000Z');
  await t.store.completeAlert(third.leadId, { status: 'sent', at: '2026-11-30T12:00:02.000Z' });
  return { first, second, third, bobs, janeId: first.contactId, mergedId: second.contactId };
}

describe('POST /api/privacy/export', () => {
  it('returns everything held about the person, and nothing about anyone else', async () => {
    const t = await setup();
    const s = await seed(t);
    const res = await t.call('POST /api/privacy/export', { body: { email: 'JANE.DOE@acme.io' } });
    expect(res.status).toBe(200);
    const data = res.body;
    expect(data).toMatchObject({
      matchedOn: 'email',
      contactId: s.janeId,
      mergedContactIds: [s.mergedId],
      profile: {
        contactId: s.janeId,
        email: 'jane.doe@acme.io',
        phone: '+14155552671',
        fullName: jane.fullName,
      },
      proofRecipe: 'leadhub-consent-proof/1',
    });
    expect(data.touches.map((l: { leadId: string }) => l.leadId).sort()).toEqual(
      [s.first.leadId, s.second.leadId, s.third.leadId].sort(),
    );
    expect(data.touches[0].answers).toEqual([{ key: 'needs', values: [jane.answer] }]);
    expect(data.consentHistory).toHaveLength(6);
    expect(
      data.consentState.map((c: { purpose: string; granted: boolean }) => [c.purpose, c.granted]),
    ).toEqual([
      ['marketing_email', true],
      ['phone_sms', true],
    ]);
    expect(data.submissions).toHaveLength(3);
    expect(data.alerts).toEqual([expect.objectContaining({ leadId: s.third.leadId, status: 'sent' })]);
    expect(data.timeline.map((e: { kind: string }) => e.kind)).toEqual(['lead', 'lead', 'lead', 'merged']);
    const text = JSON.stringify(data);
    for (const other of [bob.email, bob.fullName, bob.phone, 'burgers', s.bobs.leadId, s.bobs.contactId]) {
      expect(text).not.toContain(other);
    }
    // The same person by phone, written another way.
    const byPhone = await t.call('POST /api/privacy/export', { body: { phone: '(415) 555-2671' } });
    expect(byPhone.body).toMatchObject({ matchedOn: 'phone', contactId: s.janeId });
  });

  it('lets an auditor recompute every proof hash from the export', async () => {
    const t = await setup();
    await seed(t);
    const { body } = await t.call('POST /api/privacy/export', { body: { email: jane.email } });
    for (const record of body.consentHistory as ConsentRecord[]) {
      const submission = body.submissions.find(
        (s: { source: string; platformLeadId: string }) =>
          s.source === record.submission?.source && s.platformLeadId === record.submission?.platformLeadId,
      );
      expect(submission, record.leadId).toBeDefined();
      // Every consent field is on the record.
      for (const field of [
        'contactId',
        'leadId',
        'purpose',
        'granted',
        'at',
        'noticeText',
        'noticeVersion',
        'noticeHash',
        'method',
        'source',
        'formId',
        'pageUrl',
        'ip',
        'userAgent',
        'proofHash',
        'submission',
        'recordedAt',
      ]) {
        expect(record, field).toHaveProperty(field);
      }
      expect(
        consentProofHash({
          submission: submission.payload,
          noticeText: record.noticeText,
          noticeVersion: record.noticeVersion,
          purpose: record.purpose,
          granted: record.granted,
          at: record.at,
        }),
      ).toBe(record.proofHash);
    }
  });

  it('answers 404 for an unknown person, 400 for a bad request and 401 without credentials', async () => {
    const t = await setup();
    await seed(t);
    expect(await t.call('POST /api/privacy/export', { body: { email: 'nobody@acme.io' } })).toMatchObject({
      status: 404,
      body: { error: 'not_found', suppressed: false },
    });
    expect((await t.call('POST /api/privacy/export', { body: {} })).status).toBe(400);
    expect(
      (await t.call('POST /api/privacy/export', { body: { email: jane.email, phone: jane.phone } })).status,
    ).toBe(400);
    expect(await t.call('POST /api/privacy/export', { body: { email: 'not-an-email' } })).toMatchObject({
      status: 400,
      body: { error: 'invalid_identifier', field: 'email' },
    });
    expect(await t.call('POST /api/privacy/export', { body: { phone: '12' } })).toMatchObject({
      status: 400,
    });
    expect((await t.call('POST /api/privacy/export', { body: 'not json' })).body.error).toBe(
      'malformed_body',
    );
    expect(
      (await t.call('POST /api/privacy/export', { body: { email: jane.email, name: 'Jane' } })).status,
    ).toBe(400);
    expect(
      (
        await t.call('POST /api/privacy/export', {
          body: { email: jane.email },
          headers: { authorization: 'Bearer nope' },
        })
      ).status,
    ).toBe(401);
  });
  it('no longer takes the person in a URL: the GET form is no route', async () => {
    const t = await setup();
    await seed(t);
    expect(HttpRoutes.some((r) => r.path === '/api/privacy/export' && r.method === 'GET')).toBe(false);
    expect(HttpRoutes).toContainEqual(
      expect.objectContaining({ method: 'POST', path: '/api/privacy/export', fn: 'http-privacy' }),
    );
    // Even when it reaches the function (it cannot through either runtime), it discloses nothing.
    const res = await t.call('GET /api/privacy/export', { query: { email: jane.email } });
    expect(res).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(JSON.stringify(res.body)).not.toContain('jane.doe@acme.io');
  });
});

describe('POST /api/privacy/withdraw', () => {
  it('appends a withdrawal record, never edits, flips the state and publishes ConsentWithdrawn', async () => {
    const t = await setup();
    const s = await seed(t);
    const before = (await t.store.getContact(s.janeId))?.consents ?? [];
    t.clock.set('2026-12-01T08:00:00.000Z');
    const res = await t.call('POST /api/privacy/withdraw', {
      body: { phone: '4155552671', purpose: 'marketing_email', requestId: 'ticket-42' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'withdrawn',
      contactId: s.janeId,
      withdrawals: [{ purpose: 'marketing_email', previouslyGranted: true, at: '2026-12-01T08:00:00.000Z' }],
    });
    const after = (await t.store.getContact(s.janeId))?.consents ?? [];
    expect(after).toHaveLength(before.length + 1);
    for (const record of before) expect(after).toContainEqual(record);
    expect(after.find((c) => c.method === 'withdrawal')).toMatchObject({
      contactId: s.janeId,
      purpose: 'marketing_email',
      granted: false,
      source: 'privacy_api',
      noticeVersion: 'v1',
      requestId: 'ticket-42',
      proofHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(t.events<ConsentWithdrawnV1>('ConsentWithdrawn')).toEqual([
      expect.objectContaining({
        version: '1',
        contactId: s.janeId,
        purpose: 'marketing_email',
        previouslyGranted: true,
        source: 'privacy_api',
        withdrawnAt: '2026-12-01T08:00:00.000Z',
      }),
    ]);
    const exported = await t.call('POST /api/privacy/export', { body: { email: jane.email } });
    expect(exported.body.consentState).toEqual([
      expect.objectContaining({ purpose: 'marketing_email', granted: false, method: 'withdrawal' }),
      expect.objectContaining({ purpose: 'phone_sms', granted: true }),
    ]);

    // A retried request (same requestId) writes nothing new.
    t.clock.set('2026-12-01T08:05:00.000Z');
    const retry = await t.call('POST /api/privacy/withdraw', {
      body: { email: jane.email, purpose: 'marketing_email', requestId: 'ticket-42' },
    });
    expect(retry.body.withdrawals[0]).toMatchObject({
      at: '2026-12-01T08:00:00.000Z',
      previouslyGranted: true,
    });
    expect((await t.store.getContact(s.janeId))?.consents).toHaveLength(before.length + 1);
  });

  it('withdraws every granted purpose with "all", and refuses unknown people and bad purposes', async () => {
    const t = await setup();
    const s = await seed(t);
    const res = await t.call('POST /api/privacy/withdraw', { body: { email: jane.email, purpose: 'all' } });
    expect(res.body.withdrawals.map((w: { purpose: string }) => w.purpose)).toEqual([
      'marketing_email',
      'phone_sms',
    ]);
    expect(t.events<ConsentWithdrawnV1>('ConsentWithdrawn').map((e) => e.contactId)).toEqual([
      s.janeId,
      s.janeId,
    ]);
    expect(
      (await t.call('POST /api/privacy/withdraw', { body: { email: 'x@y.example', purpose: 'all' } })).status,
    ).toBe(404);
    expect(
      (await t.call('POST /api/privacy/withdraw', { body: { email: jane.email, purpose: 'no spaces' } }))
        .status,
    ).toBe(400);
    expect((await t.call('POST /api/privacy/withdraw', { body: { email: jane.email } })).status).toBe(400);
    expect((await t.call('POST /api/privacy/withdraw', { body: 'not json' })).body.error).toBe(
      'malformed_body',
    );
  });
});

describe('POST /api/privacy/erase', () => {
  it('removes the person from every item, keeps proofs in a tombstone, suppresses and publishes ContactErased', async () => {
    const t = await setup();
    const s = await seed(t);
    const proofsBefore = ((await t.store.getContact(s.janeId))?.consents ?? [])
      .map((c) => c.proofHash)
      .sort();
    t.clock.set('2026-12-02T09:00:00.000Z');
    const res = await t.call('POST /api/privacy/erase', { body: { email: jane.email } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'erased',
      contactId: s.janeId,
      mergedContactIds: [s.mergedId],
      leadIds: [s.first.leadId, s.second.leadId, s.third.leadId].sort(),
      erasedAt: '2026-12-02T09:00:00.000Z',
      suppressedKeys: 2,
      erasureId: expect.stringMatching(/^er_/),
    });
    expect(res.body.itemsErased).toBeGreaterThan(0);

    // Nothing of Jane is left anywhere in the table; Bob is untouched.
    const text = await t.tableText();
    for (const pii of [
      'jane.doe@acme.io',
      '+14155552671',
      'Jane',
      'Quinlan',
      jane.company,
      jane.answer,
      jane.ip,
      jane.userAgent,
      'g-j1',
      'g-j2',
      'g-j3',
    ]) {
      expect(text, pii).not.toContain(pii);
    }
    expect(text).toContain(bob.email);
    expect((await t.store.getLead(s.bobs.leadId))?.answers).toEqual([{ key: 'needs', values: ['burgers'] }]);

    // Tombstone: ids and the consent proofs, no PII.
    const tombstone = await t.store.getTombstone(s.janeId);
    expect(tombstone).toMatchObject({
      contactId: s.janeId,
      erasureId: res.body.erasureId,
      mergedContactIds: [s.mergedId],
    });
    expect(tombstone?.consentProofs.map((p) => p.proofHash).sort()).toEqual(proofsBefore);
    // Suppressed by both keys; the identity keys are gone.
    for (const key of [
      identityKeyFor(PEPPER, 'email', 'jane.doe@acme.io'),
      identityKeyFor(PEPPER, 'phone', '+14155552671'),
    ]) {
      expect(await t.store.isSuppressed([key.hash])).toBe(true);
      expect(await t.store.getIdentity(key.hash)).toBeUndefined();
    }
    expect(t.events<ContactErasedV1>('ContactErased')).toEqual([
      {
        version: '1',
        contactId: s.janeId,
        mergedContactIds: [s.mergedId],
        leadIds: res.body.leadIds,
        erasureId: res.body.erasureId,
        erasedAt: '2026-12-02T09:00:00.000Z',
      },
    ]);

    // Not readable through any API afterwards.
    for (const leadId of res.body.leadIds) {
      const lead = await t.adminGet('GET /api/leads/{leadId}', `/api/leads/${leadId}`, { leadId });
      expect(lead).toMatchObject({ status: 410, body: { error: 'erased' } });
    }
    for (const contactId of [s.janeId, s.mergedId]) {
      const contact = await t.adminGet('GET /api/contacts/{contactId}', `/api/contacts/${contactId}`, {
        contactId,
      });
      expect(contact.status).toBe(410);
    }
    const listed = await t.store.listLeads(50);
    expect(listed.leads.map((l) => l.leadId)).toEqual([s.bobs.leadId]);
    expect(await t.call('POST /api/privacy/export', { body: { email: jane.email } })).toMatchObject({
      status: 404,
      body: { suppressed: true },
    });
    expect(
      (await t.call('POST /api/privacy/withdraw', { body: { email: jane.email, purpose: 'all' } })).status,
    ).toBe(404);
    expect(await t.store.getReceipt({ source: 'form', platformLeadId: 'j1' })).toMatchObject({
      payload: null,
      payloadErasedAt: '2026-12-02T09:00:00.000Z',
    });

    // Idempotent: the same request again answers the same erasure and publishes nothing new.
    const again = await t.call('POST /api/privacy/erase', { body: { phone: '415-555-2671' } });
    expect(again.body).toMatchObject({ status: 'erased', erasureId: res.body.erasureId, itemsErased: 0 });
    const byEmailAgain = await t.call('POST /api/privacy/erase', { body: { email: jane.email } });
    expect(byEmailAgain.body.erasureId).toBe(res.body.erasureId);
    expect(t.events('ContactErased')).toHaveLength(1);
  });

  it('resumes an erasure that crashed half-way', async () => {
    let crash = true;
    const t = await setup((store) => ({
      ...store,
      eraseContact: async (id, erasure) => {
        const result = await store.eraseContact(id, erasure);
        if (crash) {
          crash = false;
          throw new Error('crash after the first contact');
        }
        return result;
      },
    }));
    const s = await seed(t);
    await expect(t.call('POST /api/privacy/erase', { body: { email: jane.email } })).rejects.toThrow('crash');
    expect(t.events('ContactErased')).toEqual([]);
    // The first contact's keys are gone already; the erasure record still knows whom to finish.
    const res = await t.call('POST /api/privacy/erase', { body: { email: jane.email } });
    expect(res.body).toMatchObject({ status: 'erased', contactId: s.janeId, mergedContactIds: [s.mergedId] });
    expect(t.events<ContactErasedV1>('ContactErased')).toHaveLength(1);
    const text = await t.tableText();
    expect(text).not.toContain('jane.doe@acme.io');
    expect(text).not.toContain(jane.answer);
  });

  it('suppresses an unknown person too, so they are never captured', async () => {
    const t = await setup();
    const res = await t.call('POST /api/privacy/erase', { body: { email: 'stranger@acme.io' } });
    expect(res.body).toMatchObject({ status: 'not_found', leadIds: [], suppressedKeys: 1 });
    expect(t.events('ContactErased')).toEqual([]);
    expect(await t.submit(rawLead('s1', { email: 'Stranger@acme.io' }))).toEqual({ status: 'suppressed' });
  });
});

describe('suppression', () => {
  it('stores and alerts nothing for an erased person who submits again, and keeps the hit without PII', async () => {
    const t = await setup();
    await seed(t);
    await erasePerson(t.deps, { email: jane.email });
    const published = t.bus.events.length;
    expect(await t.submit(janeLead('again-1'))).toEqual({ status: 'suppressed' });
    // By phone alone too (every key of the person was suppressed).
    expect(await t.submit(rawLead('again-2', { phone: '4155552671', fullName: 'J' }))).toEqual({
      status: 'suppressed',
    });
    expect(t.bus.events).toHaveLength(published);
    expect(await t.store.getReceipt({ source: 'form', platformLeadId: 'again-1' })).toMatchObject({
      status: 'suppressed',
      payload: null,
      payloadErasedAt: expect.any(String),
    });
    expect((await t.store.listLeads(50)).leads).toHaveLength(1);
    expect(await t.tableText()).not.toContain(jane.answer);
  });

  it('lets them back in through a form that accepts fresh consent, only when they grant it', async () => {
    const t = await setup();
    const s = await seed(t);
    await erasePerson(t.deps, { email: jane.email });
    const declined = janeLead('fresh-0', { consents: [] }, 'optin');
    expect(await t.submit(declined)).toEqual({ status: 'suppressed' });
    expect(await t.submit(janeLead('fresh-1', {}, 'contact'))).toEqual({ status: 'suppressed' });
    const back = await t.submit(janeLead('fresh-2', {}, 'optin'));
    expect(back).toMatchObject({ status: 'captured' });
    if (back.status !== 'captured') return;
    expect(back.contactId).not.toBe(s.janeId);
    expect(t.events<LeadCapturedV1>('LeadCaptured').at(-1)).toMatchObject({ contactId: back.contactId });
    // Erasing again erases the new contact, not the old tombstone.
    const again = await t.call('POST /api/privacy/erase', { body: { email: jane.email } });
    expect(again.body).toMatchObject({ status: 'erased', contactId: back.contactId });
  });

  it('cleans up after a capture that raced an erasure of the same person', async () => {
    let raced = false;
    const t = await setup((store) => ({
      ...store,
      putConsent: async (record) => {
        await store.putConsent(record);
        if (!raced && record.leadId && record.contactId) {
          raced = true;
          await erasePerson({ ...t.deps, store }, { email: jane.email });
        }
      },
    }));
    const outcome = await t.submit(janeLead('race-1'));
    expect(outcome).toEqual({ status: 'suppressed' });
    expect(t.events('LeadCaptured')).toEqual([]);
    const text = await t.tableText();
    for (const pii of ['jane.doe@acme.io', jane.answer, jane.ip, 'Quinlan'])
      expect(text, pii).not.toContain(pii);
  });
});

describe('suppression races', () => {
  it('erases what a capture wrote when the erasure ran before it claimed the person (and so found nobody)', async () => {
    let raced = false;
    const t = await setup((store) => ({
      ...store,
      // A first submission's new contact is born just before it claims its keys: erase right then.
      ensureContact: async (id, at) => {
        if (!raced) {
          raced = true;
          const receipt = await erasePerson({ ...t.deps, store }, { email: jane.email });
          expect(receipt.status).toBe('not_found');
        }
        return store.ensureContact(id, at);
      },
    }));
    expect(await t.submit(janeLead('race-2'))).toEqual({ status: 'suppressed' });
    expect(t.events('LeadCaptured')).toEqual([]);
    const text = await t.tableText();
    for (const pii of ['jane.doe@acme.io', '+14155552671', jane.answer, jane.ip, 'Quinlan']) {
      expect(text, pii).not.toContain(pii);
    }
    expect(await t.store.getReceipt({ source: 'form', platformLeadId: 'race-2' })).toMatchObject({
      status: 'suppressed',
      payload: null,
    });
  });
});

describe('retention', () => {
  it('treats an expired receipt as gone, and lets a new delivery replace it', async () => {
    let now = Date.parse('2026-11-30T10:00:00.000Z');
    const { store } = await freshStore(() => new Date(now));
    const key = { source: 'form' as const, platformLeadId: 'r1' };
    const receipt = {
      ...key,
      receivedAt: '2026-11-30T10:00:00.000Z',
      status: 'received' as const,
      payload: { email: 'x@y.example' },
    };
    expect(await store.putReceipt(receipt)).toBe('created');
    now += 29 * 24 * 3600 * 1000;
    expect(await store.getReceipt(key)).toBeDefined();
    expect(await store.putReceipt(receipt)).toBe('duplicate');
    now += 2 * 24 * 3600 * 1000;
    expect(await store.getReceipt(key)).toBeUndefined();
    expect(await store.putReceipt(receipt)).toBe('created');
  });

  it('keeps a captured receipt for the configured days, after which the export no longer has it', async () => {
    let now = Date.parse('2026-11-30T10:00:00.000Z');
    const { store } = await freshStore(() => new Date(now));
    const t = await setup(() => store);
    await t.captured(janeLead('ret-1'));
    now += 6 * 24 * 3600 * 1000;
    expect(
      (await t.call('POST /api/privacy/export', { body: { email: jane.email } })).body.submissions,
    ).toHaveLength(1);
    now += 2 * 24 * 3600 * 1000;
    const after = await t.call('POST /api/privacy/export', { body: { email: jane.email } });
    expect(after.body.submissions).toEqual([]);
    // The lead and its consent proofs stay; only the raw submission expired.
    expect(after.body.touches).toHaveLength(1);
    expect(after.body.consentHistory.every((c: ConsentRecord) => c.proofHash)).toBe(true);
  });
});
