import { gunzipSync } from 'node:zlib';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { ConsentWithdrawnV1, ContactErasedV1, LeadCapturedV2 } from '../../events/contracts.js';
import { consentProofHash } from '../../lib/consent/proof.js';
import { createAdminHttpHandler } from '../../lib/handlers/http-admin.js';
import { createPrivacyHttpHandler } from '../../lib/handlers/http-privacy.js';
import { identityKeyFor } from '../../lib/lead/identity.js';
import type { RawLead } from '../../lib/lead/model.js';
import { capture } from '../../lib/pipeline/capture.js';
import { ingest } from '../../lib/pipeline/ingest.js';
import { erasePerson } from '../../lib/pipeline/privacy.js';
import type { ConsentRecord, LeadStore, ReceiptStore } from '../../lib/ports.js';
import { HttpRoutes } from '../../lib/routes.js';
import {
  fakeDeps,
  fixedClock,
  fixedSecrets,
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
/** Who runs a privacy action called directly (not through the API). */
const actor = { by: 'test-runner', requestId: 'req-direct' };
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

async function setup(
  wrap?: (store: LeadStore) => LeadStore,
  options: { adminToken?: string; receipts?: ReceiptStore } = {},
) {
  const { store, receiptStore, doc, tableName } = await freshStore();
  const bus = recordingBus();
  const clock = fixedClock('2026-11-30T10:00:00.000Z');
  const deps = fakeDeps({
    store: wrap ? wrap(store) : store,
    receipts: options.receipts ?? receiptStore,
    bus,
    clock,
    captureQueue: recordingQueue(),
    config: testConfig({
      forms: { contact: {}, optin: { acceptFreshConsent: true } },
      privacy: { receiptRetentionDays: 7 },
    }),
    ...(options.adminToken
      ? { secrets: fixedSecrets({ LEADHUB_PEPPER: PEPPER, LEADHUB_ADMIN_TOKEN: options.adminToken }) }
      : {}),
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
    options: {
      query?: Record<string, string>;
      body?: unknown;
      headers?: Record<string, string>;
      /** Called as this IAM principal (API Gateway's IAM authorizer), with no bearer token. */
      iam?: string;
      requestId?: string;
    } = {},
  ) => {
    const [method, path] = route.split(' ') as [string, string];
    const res = await privacy(
      httpEvent({
        method,
        routeKey: route,
        path,
        ...(options.query ? { query: options.query } : {}),
        ...(options.iam ? { iamUserArn: options.iam } : {}),
        ...(options.requestId ? { requestId: options.requestId } : {}),
        headers: { 'content-type': 'application/json', ...(options.headers ?? (options.iam ? {} : auth)) },
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
  /** The audit trail's items as stored: records (sk AUDIT) and their index entries by contact. */
  const auditItems = async () => {
    const { Items } = await doc.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'begins_with(pk, :audit)',
        ExpressionAttributeValues: { ':audit': 'AUDIT#' },
      }),
    );
    return Items ?? [];
  };
  const auditRecords = async () => (await auditItems()).filter((i) => i.sk === 'AUDIT');
  return {
    deps,
    store,
    receiptStore,
    bus,
    clock,
    submit,
    captured,
    call,
    adminGet,
    events,
    tableText,
    auditItems,
    auditRecords,
  };
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
    expect(await t.receiptStore.getReceipt({ source: 'form', platformLeadId: 'j1' })).toMatchObject({
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
    expect(await t.auditRecords()).toEqual([expect.objectContaining({ action: 'erase', outcome: 'failed' })]);
    // The first contact's keys are gone already; the erasure record still knows whom to finish.
    const res = await t.call('POST /api/privacy/erase', { body: { email: jane.email } });
    expect(res.body).toMatchObject({ status: 'erased', contactId: s.janeId, mergedContactIds: [s.mergedId] });
    expect(t.events<ContactErasedV1>('ContactErased')).toHaveLength(1);
    // The retry finished the same erasure, so it completed the same audit record.
    expect(await t.auditRecords()).toEqual([
      expect.objectContaining({ outcome: 'done', erasureId: res.body.erasureId }),
    ]);
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

describe('privacy audit trail', () => {
  const DPO = 'arn:aws:sts::123456789012:assumed-role/privacy-officer/dana';
  const janeEmailKey = identityKeyFor(PEPPER, 'email', 'jane.doe@acme.io').hash;
  type Listed = { status?: number; body: { records: Record<string, unknown>[]; cursor?: string } };

  it('records every export, withdrawal and erasure: the caller ARN, the action, contact ids, time and outcome, no identifier', async () => {
    const t = await setup();
    const s = await seed(t);
    const family = [s.janeId, s.mergedId];
    const as = (requestId: string) => ({ iam: DPO, requestId });
    t.clock.set('2026-12-01T08:00:00.000Z');
    expect(
      (await t.call('POST /api/privacy/export', { body: { email: jane.email }, ...as('r-export') })).status,
    ).toBe(200);
    t.clock.set('2026-12-01T08:01:00.000Z');
    const withdraw = { phone: jane.phone, purpose: 'marketing_email', requestId: 'ticket-7' };
    expect((await t.call('POST /api/privacy/withdraw', { body: withdraw, ...as('r-withdraw') })).status).toBe(
      200,
    );
    // A retried withdrawal (same requestId) is the same action: no second record.
    t.clock.set('2026-12-01T08:01:30.000Z');
    expect(
      (await t.call('POST /api/privacy/withdraw', { body: withdraw, ...as('r-withdraw-again') })).status,
    ).toBe(200);
    t.clock.set('2026-12-01T08:02:00.000Z');
    expect(
      (await t.call('POST /api/privacy/export', { body: { email: 'nobody@acme.io' }, ...as('r-unmatched') }))
        .status,
    ).toBe(404);
    t.clock.set('2026-12-01T08:03:00.000Z');
    const erased = await t.call('POST /api/privacy/erase', { body: { email: jane.email }, ...as('r-erase') });
    expect(erased.body.status).toBe('erased');
    // The same erasure asked again, by the other identifier: no second record.
    t.clock.set('2026-12-01T08:03:30.000Z');
    expect(
      (await t.call('POST /api/privacy/erase', { body: { phone: jane.phone }, ...as('r-erase-again') })).body
        .erasureId,
    ).toBe(erased.body.erasureId);
    t.clock.set('2026-12-01T08:04:00.000Z');
    expect(
      (
        await t.call('POST /api/privacy/erase', {
          body: { email: 'stranger@acme.io' },
          ...as('r-unmatched-erase'),
        })
      ).body.status,
    ).toBe('not_found');

    const records = await t.auditRecords();
    expect(records.map((r) => r.requestId).sort()).toEqual([
      'r-erase',
      'r-export',
      'r-unmatched',
      'r-unmatched-erase',
      'r-withdraw',
    ]);
    const of = (requestId: string) => records.find((r) => r.requestId === requestId);
    expect(of('r-export')).toMatchObject({
      action: 'export',
      by: DPO,
      at: '2026-12-01T08:00:00.000Z',
      keyKind: 'email',
      keyHash: janeEmailKey,
      contactIds: family,
      outcome: 'done',
      leadCount: 3,
      // Kept 6 years by default, by DynamoDB's TTL.
      retainUntil: '2032-12-01T08:00:00.000Z',
      expiresAt: Date.parse('2032-12-01T08:00:00.000Z') / 1000,
    });
    expect(of('r-withdraw')).toMatchObject({
      action: 'withdraw',
      by: DPO,
      at: '2026-12-01T08:01:00.000Z',
      keyKind: 'phone',
      contactIds: family,
      purposes: ['marketing_email'],
      withdrawalRequestId: 'ticket-7',
      outcome: 'done',
      completedAt: '2026-12-01T08:01:00.000Z',
    });
    expect(of('r-unmatched')).toMatchObject({
      action: 'export',
      outcome: 'not_found',
      contactIds: [],
      keyHash: identityKeyFor(PEPPER, 'email', 'nobody@acme.io').hash,
    });
    expect(of('r-erase')).toMatchObject({
      action: 'erase',
      by: DPO,
      at: '2026-12-01T08:03:00.000Z',
      contactIds: family,
      erasureId: erased.body.erasureId,
      leadCount: 3,
      outcome: 'done',
    });
    expect(of('r-unmatched-erase')).toMatchObject({
      action: 'erase',
      outcome: 'not_found',
      contactIds: [],
      keyHash: identityKeyFor(PEPPER, 'email', 'stranger@acme.io').hash,
    });
    // Ids only: no email, phone, name or answer in any audit item, index entries included.
    const text = JSON.stringify(await t.auditItems()).toLowerCase();
    for (const pii of ['@', 'jane', 'doe', 'quinlan', 'acme', 'nobody', 'stranger', '4155552671', 'seats']) {
      expect(text, pii).not.toContain(pii);
    }

    // The erasure left the person's trail: listed by either contact id, newest first.
    for (const contactId of family) {
      const listed: Listed = await t.call('GET /api/privacy/audit', { query: { contactId }, iam: DPO });
      expect(listed.status).toBe(200);
      expect(listed.body.records.map((r) => r.requestId)).toEqual(['r-erase', 'r-withdraw', 'r-export']);
    }
  });

  it('names a caller let in by the bearer token admin-token, never the token itself', async () => {
    const t = await setup(undefined, { adminToken: 'tok-5uper-s3cret' });
    await seed(t);
    const res = await t.call('POST /api/privacy/export', {
      body: { email: jane.email },
      headers: { authorization: 'Bearer tok-5uper-s3cret' },
    });
    expect(res.status).toBe(200);
    expect(await t.auditRecords()).toEqual([
      expect.objectContaining({ action: 'export', by: 'admin-token' }),
    ]);
    expect(JSON.stringify(await t.auditItems())).not.toContain('tok-5uper-s3cret');
  });

  it('lists the trail by time and by contact, newest first, page by page with a cursor', async () => {
    const t = await setup();
    const s = await seed(t);
    const at = async (iso: string, requestId: string, body: unknown, route = 'POST /api/privacy/export') => {
      t.clock.set(iso);
      expect((await t.call(route, { body, requestId })).status).toBe(200);
    };
    await at('2026-10-15T09:00:00.000Z', 'r1', { email: jane.email });
    await at('2026-11-30T13:00:00.000Z', 'r2', { email: bob.email });
    await at('2026-12-31T23:59:59.999Z', 'r3', { phone: jane.phone });
    await at('2027-01-01T00:00:00.000Z', 'r4', { email: jane.email });
    await at(
      '2027-02-01T10:00:00.000Z',
      'r5',
      { email: bob.email, purpose: 'all' },
      'POST /api/privacy/withdraw',
    );
    t.clock.set('2027-02-02T00:00:00.000Z');
    const list = (query: Record<string, string>): Promise<Listed> =>
      t.call('GET /api/privacy/audit', { query });
    const all = async (query: Record<string, string>) => {
      const ids: unknown[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await list({ ...query, ...(cursor ? { cursor } : {}) });
        expect(page.status).toBe(200);
        expect(page.body.records.length).toBeLessThanOrEqual(Number(query.limit ?? 20));
        ids.push(...page.body.records.map((r) => r.requestId));
        cursor = page.body.cursor;
        pages++;
      } while (cursor && pages < 20);
      expect(cursor).toBeUndefined();
      return ids;
    };
    // Everything kept (6 years back), two at a time.
    expect(await all({ limit: '2' })).toEqual(['r5', 'r4', 'r3', 'r2', 'r1']);
    expect((await list({ limit: '2' })).body.records.map((r) => r.requestId)).toEqual(['r5', 'r4']);
    expect(await all({ contactId: s.janeId, limit: '1' })).toEqual(['r4', 'r3', 'r1']);
    expect(await all({ contactId: s.bobs.contactId })).toEqual(['r5', 'r2']);
    // `from` inclusive, `to` exclusive; a date is its midnight UTC.
    expect(await all({ from: '2026-12-01', to: '2027-01-01T00:00:00Z' })).toEqual(['r3']);
    expect(await all({ from: '2026-12-31T23:59:59.999Z', to: '2027-01-01T01:00:00+01:00' })).toEqual(['r3']);
    expect(await all({ contactId: s.janeId, from: '2026-11-01', limit: '1' })).toEqual(['r4', 'r3']);
    expect(await all({ to: '2026-01-01' })).toEqual([]);
    // Bounds beyond what the trail can hold (30 years back, nothing ahead) are pulled in, not refused.
    expect(await all({ from: '2030-01-01' })).toEqual([]);
    const longAgo = await list({ from: '1900-01-01', to: '2999-01-01', limit: '5' });
    expect(longAgo.body.records.map((r) => r.requestId)).toEqual(['r5', 'r4', 'r3', 'r2', 'r1']);
  });

  it('refuses a bad listing query with 400, and a caller without credentials with 401', async () => {
    const t = await setup();
    const list = (query: Record<string, string>, headers?: Record<string, string>) =>
      t.call('GET /api/privacy/audit', { query, ...(headers ? { headers } : {}) });
    expect((await list({ from: 'yesterday' })).status).toBe(400);
    expect((await list({ from: '2026-12-01', to: '2026-12-01' })).body.error).toBe('invalid_range');
    expect((await list({ to: '9999-12-31T23:59:59.999-23:59' })).body.error).toBe('invalid_range');
    expect((await list({ from: '2026-02-30' })).status).toBe(400);
    expect((await list({ contactId: 'not an id!' })).status).toBe(400);
    expect((await list({ limit: '0' })).body.error).toBe('invalid_limit');
    expect((await list({ cursor: 'garbage' })).body.error).toBe('invalid_cursor');
    // Typos are refused rather than ignored (an ignored filter would list everyone's trail).
    expect((await list({ contact: 'ct_1' })).status).toBe(400);
    expect((await list({}, { authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('does nothing when the audit record cannot be written, and answers 503', async () => {
    let auditDown = true;
    const t = await setup((store) => ({
      ...store,
      putAudit: async (record) => {
        if (auditDown) throw new Error('ProvisionedThroughputExceededException');
        return store.putAudit(record);
      },
    }));
    const s = await seed(t);
    const consents = (await t.store.getContact(s.janeId))?.consents.length;
    const refused = { status: 503, body: { error: 'audit_unavailable', actionDone: false } };
    expect(await t.call('POST /api/privacy/erase', { body: { email: jane.email } })).toMatchObject(refused);
    expect(
      await t.call('POST /api/privacy/withdraw', { body: { email: jane.email, purpose: 'all' } }),
    ).toMatchObject(refused);
    const exported = await t.call('POST /api/privacy/export', { body: { email: jane.email } });
    expect(exported).toMatchObject(refused);
    expect(JSON.stringify(exported.body)).not.toContain('jane.doe@acme.io');
    // Nothing was done: no suppression, no erasure, no withdrawal, nothing published.
    expect(await t.store.isSuppressed([janeEmailKey])).toBe(false);
    expect(await t.store.getErasure(janeEmailKey)).toBeUndefined();
    expect((await t.store.getContact(s.janeId))?.consents).toHaveLength(consents ?? -1);
    expect(t.events('ContactErased')).toEqual([]);
    expect(t.events('ConsentWithdrawn')).toEqual([]);
    expect(await t.tableText()).toContain('jane.doe@acme.io');
    expect(await t.auditItems()).toEqual([]);

    // Once the record can be written, the same request is done, on the record.
    auditDown = false;
    expect((await t.call('POST /api/privacy/erase', { body: { email: jane.email } })).body.status).toBe(
      'erased',
    );
    expect(await t.auditRecords()).toEqual([expect.objectContaining({ action: 'erase', outcome: 'done' })]);
  });

  it('answers 503 when the outcome cannot be recorded, and the same request again completes its one record', async () => {
    let completionDown = true;
    const t = await setup((store) => ({
      ...store,
      completeAudit: async (record, completion) => {
        if (completionDown) throw new Error('ProvisionedThroughputExceededException');
        return store.completeAudit(record, completion);
      },
    }));
    const s = await seed(t);
    const first = await t.call('POST /api/privacy/erase', { body: { email: jane.email }, iam: DPO });
    expect(first).toMatchObject({ status: 503, body: { error: 'audit_unavailable', actionDone: true } });
    // Done, and on record as started, by whom and whom: never done unaudited.
    expect(await t.auditRecords()).toEqual([
      expect.objectContaining({
        action: 'erase',
        by: DPO,
        outcome: 'started',
        contactIds: [s.janeId, s.mergedId],
      }),
    ]);
    completionDown = false;
    const again = await t.call('POST /api/privacy/erase', { body: { email: jane.email }, iam: DPO });
    expect(again.body.status).toBe('erased');
    expect(await t.auditRecords()).toEqual([
      expect.objectContaining({ outcome: 'done', erasureId: again.body.erasureId }),
    ]);
    expect(t.events('ContactErased')).toHaveLength(1);
  });
});

describe('suppression', () => {
  it('stores and alerts nothing for an erased person who submits again, and keeps the hit without PII', async () => {
    const t = await setup();
    await seed(t);
    await erasePerson(t.deps, { email: jane.email }, actor);
    const published = t.bus.events.length;
    expect(await t.submit(janeLead('again-1'))).toEqual({ status: 'suppressed' });
    // By phone alone too (every key of the person was suppressed).
    expect(await t.submit(rawLead('again-2', { phone: '4155552671', fullName: 'J' }))).toEqual({
      status: 'suppressed',
    });
    expect(t.bus.events).toHaveLength(published);
    expect(await t.receiptStore.getReceipt({ source: 'form', platformLeadId: 'again-1' })).toMatchObject({
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
    await erasePerson(t.deps, { email: jane.email }, actor);
    const declined = janeLead('fresh-0', { consents: [] }, 'optin');
    expect(await t.submit(declined)).toEqual({ status: 'suppressed' });
    expect(await t.submit(janeLead('fresh-1', {}, 'contact'))).toEqual({ status: 'suppressed' });
    const back = await t.submit(janeLead('fresh-2', {}, 'optin'));
    expect(back).toMatchObject({ status: 'captured' });
    if (back.status !== 'captured') return;
    expect(back.contactId).not.toBe(s.janeId);
    expect(t.events<LeadCapturedV2>('LeadCaptured').at(-1)).toMatchObject({ contactId: back.contactId });
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
          await erasePerson({ ...t.deps, store }, { email: jane.email }, actor);
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
          const receipt = await erasePerson({ ...t.deps, store }, { email: jane.email }, actor);
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
    expect(await t.receiptStore.getReceipt({ source: 'form', platformLeadId: 'race-2' })).toMatchObject({
      status: 'suppressed',
      payload: null,
    });
  });
});

describe('retention', () => {
  it('treats an expired receipt as gone, and lets a new delivery replace it', async () => {
    let now = Date.parse('2026-11-30T10:00:00.000Z');
    const { receiptStore } = await freshStore(() => new Date(now));
    const key = { source: 'form' as const, platformLeadId: 'r1' };
    const receipt = {
      ...key,
      receivedAt: '2026-11-30T10:00:00.000Z',
      status: 'received' as const,
      payload: { email: 'x@y.example' },
    };
    expect(await receiptStore.putReceipt(receipt)).toBe('created');
    now += 29 * 24 * 3600 * 1000;
    expect(await receiptStore.getReceipt(key)).toBeDefined();
    expect(await receiptStore.putReceipt(receipt)).toBe('duplicate');
    now += 2 * 24 * 3600 * 1000;
    expect(await receiptStore.getReceipt(key)).toBeUndefined();
    expect(await receiptStore.putReceipt(receipt)).toBe('created');
  });

  it('keeps a captured receipt for the configured days, after which the export no longer has it', async () => {
    let now = Date.parse('2026-11-30T10:00:00.000Z');
    const { store, receiptStore } = await freshStore(() => new Date(now));
    const t = await setup(() => store, { receipts: receiptStore });
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
