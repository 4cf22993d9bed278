import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LeadCapturedV2Schema } from '../../events/contracts.js';
import type { HubDeps } from '../../lib/deps.js';
import { createCaptureWorker } from '../../lib/handlers/capture-worker.js';
import { identityKeyHash } from '../../lib/lead/identity.js';
import type { RawLead } from '../../lib/lead/model.js';
import { capture } from '../../lib/pipeline/capture.js';
import { ingest } from '../../lib/pipeline/ingest.js';
import { fakeDeps, recordingBus, recordingQueue, sqsEvent } from '../support/fakes.js';
import { freshStore } from '../support/store.js';

function rawLead(id: string, overrides: Partial<RawLead> = {}): RawLead {
  return {
    source: 'form',
    platformLeadId: id,
    platformCreatedAt: '2026-11-30T09:59:58.000Z',
    email: 'jane@acme.io',
    fullName: 'Jane Doe',
    phone: '+14155552671',
    answers: [{ key: 'budget', values: ['10k+'] }],
    attribution: { source: 'form', formId: 'contact', utm: { source: 'google' } },
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
        noticeText: 'Text me',
        noticeVersion: 'v1',
        granted: false,
        method: 'web_checkbox',
      },
    ],
    context: { ip: '203.0.113.7', userAgent: 'ua' },
    ...overrides,
  };
}

async function setup() {
  const { store, receiptStore, doc, tableName } = await freshStore();
  const bus = recordingBus();
  const captureQueue = recordingQueue<{ source: 'form'; platformLeadId: string }>();
  const deps = fakeDeps({ store, receipts: receiptStore, bus, captureQueue });
  const receive = async (lead: RawLead) => {
    await ingest(deps, { source: 'form', platformLeadId: lead.platformLeadId, payload: lead });
    return { source: 'form' as const, platformLeadId: lead.platformLeadId };
  };
  return { deps, store, receiptStore, bus, captureQueue, receive, doc, tableName };
}

describe('capture', () => {
  it('stores lead, profile and one consent record per purpose, then publishes LeadCaptured', async () => {
    const { deps, store, receiptStore, bus, receive } = await setup();
    const outcome = await capture(deps, await receive(rawLead('a1')));
    expect(outcome.status).toBe('captured');
    if (outcome.status !== 'captured') return;

    const lead = await store.getLead(outcome.leadId);
    expect(lead).toMatchObject({ email: 'jane@acme.io', firstName: 'Jane', contactId: outcome.contactId });
    const contact = await store.getContact(outcome.contactId);
    expect(contact?.consents.map((c) => [c.purpose, c.granted])).toEqual([
      ['marketing_email', true],
      ['phone_sms', false],
    ]);
    expect(contact?.consents[0]).toMatchObject({
      noticeText: 'Send me news',
      noticeVersion: 'v1',
      noticeHash: createHash('sha256').update('Send me news').digest('hex'),
      method: 'web_checkbox',
      ip: '203.0.113.7',
      userAgent: 'ua',
      at: '2026-11-30T09:59:58.000Z',
    });

    expect(bus.events).toHaveLength(1);
    expect(bus.events[0]?.detailType).toBe('LeadCaptured');
    const detail = LeadCapturedV2Schema.parse(bus.events[0]?.detail);
    expect(detail).toMatchObject({ leadId: outcome.leadId, contactId: outcome.contactId, isTest: false });
    expect(detail.timings.platformCreatedAt).toBe('2026-11-30T09:59:58.000Z');

    const receipt = await receiptStore.getReceipt({ source: 'form', platformLeadId: 'a1' });
    expect(receipt).toMatchObject({ status: 'captured', leadId: outcome.leadId });
  });

  it('does nothing the second time a message is delivered', async () => {
    const { deps, bus, receive } = await setup();
    const message = await receive(rawLead('a2'));
    await capture(deps, message);
    expect(await capture(deps, message)).toEqual({ status: 'already-done' });
    expect(bus.events).toHaveLength(1);
  });

  it('gives two submissions of one person the same contact, whatever the email case', async () => {
    const { deps, store, receive } = await setup();
    const first = await capture(
      deps,
      await receive(rawLead('b1', { email: 'Jane@ACME.io', phone: undefined })),
    );
    const second = await capture(
      deps,
      await receive(rawLead('b2', { email: ' jane@acme.IO ', phone: undefined })),
    );
    expect(first.status).toBe('captured');
    if (first.status !== 'captured' || second.status !== 'captured') throw new Error('not captured');
    expect(second.contactId).toBe(first.contactId);
    expect(second.leadId).not.toBe(first.leadId);
    const contact = await store.getContact(first.contactId);
    expect(contact?.profile.leadCount).toBe(2);
    expect(contact?.leads).toHaveLength(2);
  });

  it('links by phone when the email differs', async () => {
    const { deps, receive } = await setup();
    const a = await capture(deps, await receive(rawLead('c1', { email: 'one@acme.io' })));
    const b = await capture(deps, await receive(rawLead('c2', { email: undefined })));
    if (a.status !== 'captured' || b.status !== 'captured') throw new Error('not captured');
    expect(b.contactId).toBe(a.contactId);
  });

  it('resolves ten concurrent submissions of one person to one contact', async () => {
    const { deps, store, receive } = await setup();
    const messages = await Promise.all(Array.from({ length: 10 }, (_, i) => receive(rawLead(`d${i}`))));
    const outcomes = await Promise.all(messages.map((m) => capture(deps, m)));
    const contactIds = new Set(outcomes.map((o) => (o.status === 'captured' ? o.contactId : o.status)));
    expect(contactIds.size).toBe(1);
    const [contactId] = [...contactIds];
    expect((await store.getContact(contactId as string))?.profile.leadCount).toBe(10);
  });

  it('converges when re-run after a crash between the writes and the receipt update', async () => {
    const { deps, store, receiptStore, bus, receive } = await setup();
    const message = await receive(rawLead('e1'));
    const crashing: HubDeps = {
      ...deps,
      receipts: { ...receiptStore, updateReceipt: async () => Promise.reject(new Error('crash')) },
    };
    await expect(capture(crashing, message)).rejects.toThrow('crash');
    const outcome = await capture(deps, message);
    if (outcome.status !== 'captured') throw new Error('not captured');
    const contact = await store.getContact(outcome.contactId);
    expect(contact?.profile.leadCount).toBe(1);
    expect(contact?.consents).toHaveLength(2);
    expect(bus.events.map((e) => (e.detail as { leadId: string }).leadId)).toEqual([
      outcome.leadId,
      outcome.leadId,
    ]);
  });

  it('skips suppressed people and records why', async () => {
    const { deps, store, receiptStore, receive, doc, tableName } = await setup();
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const hash = identityKeyHash('test-pepper', 'email', 'gone@acme.io');
    await doc.send(
      new PutCommand({ TableName: tableName, Item: { pk: `SUPPRESS#${hash}`, sk: 'SUPPRESS' } }),
    );
    const outcome = await capture(
      deps,
      await receive(rawLead('f1', { email: 'GONE@acme.io', phone: undefined })),
    );
    expect(outcome.status).toBe('suppressed');
    expect((await store.listLeads(10)).leads).toHaveLength(0);
    expect((await receiptStore.getReceipt({ source: 'form', platformLeadId: 'f1' }))?.status).toBe(
      'suppressed',
    );
  });

  it('marks a receipt whose payload cannot make a lead as failed, without retrying', async () => {
    const { deps, receiptStore, bus } = await setup();
    await receiptStore.putReceipt({
      source: 'form',
      platformLeadId: 'g1',
      receivedAt: '2026-11-30T10:00:00.000Z',
      status: 'received',
      payload: { not: 'a lead' },
    });
    expect(await capture(deps, { source: 'form', platformLeadId: 'g1' })).toEqual({ status: 'failed' });
    expect((await receiptStore.getReceipt({ source: 'form', platformLeadId: 'g1' }))?.status).toBe('failed');
    expect(bus.events).toHaveLength(0);
  });

  it('reports only the failing records of a batch to SQS', async () => {
    const { deps, receive } = await setup();
    const good = await receive(rawLead('h1'));
    const worker = createCaptureWorker(deps);
    const failingBus: HubDeps = {
      ...deps,
      bus: { publish: async () => Promise.reject(new Error('bus down')) },
    };
    const ok = await worker(sqsEvent([JSON.stringify(good), 'not json', JSON.stringify({ source: 'x' })]));
    expect(ok.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m1', 'm2']);
    const another = await receive(rawLead('h2'));
    const failed = await createCaptureWorker(failingBus)(sqsEvent([JSON.stringify(another)]));
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }]);
  });
});
