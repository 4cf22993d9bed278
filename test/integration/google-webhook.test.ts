import { describe, expect, it } from 'vitest';
import type { LeadCapturedV2 } from '../../events/contracts.js';
import { createWebhooksHttpHandler } from '../../lib/handlers/http-webhooks.js';
import { capture } from '../../lib/pipeline/capture.js';
import type { CaptureMessage, ReceiptStore } from '../../lib/ports.js';
import { googleLead, googleTestLead, googleWebhookBody } from '../../lib/sandbox/google-webhook.js';
import { fakeDeps, fixedSecrets, httpEvent, recordingBus, recordingQueue } from '../support/fakes.js';
import { freshStore } from '../support/store.js';

const KEY = 'google-webhook-key-9f2c';

async function setup(options: { receipts?: ReceiptStore } = {}) {
  const { store, receiptStore } = await freshStore();
  const captureQueue = recordingQueue<CaptureMessage>();
  const bus = recordingBus();
  const deps = fakeDeps({
    store,
    receipts: options.receipts ?? receiptStore,
    captureQueue,
    bus,
    secrets: fixedSecrets({ LEADHUB_PEPPER: 'p', GOOGLE_WEBHOOK_KEY: KEY }),
  });
  const handler = createWebhooksHttpHandler(deps);
  const post = (body: string | Buffer) =>
    handler(httpEvent({ method: 'POST', routeKey: 'POST /webhooks/google', path: '/webhooks/google', body }));
  const receipt = (leadId: string) => receiptStore.getReceipt({ source: 'google', platformLeadId: leadId });
  const captured = () =>
    bus.events.filter((e) => e.detailType === 'LeadCaptured').map((e) => e.detail as LeadCapturedV2);
  return { deps, store, receiptStore, captureQueue, post, receipt, captured };
}

const lead = googleLead('CjwKCAiA-lead-0001');

describe('POST /webhooks/google', () => {
  it('answers 200 {} once the receipt is durable, keeps the key out of it, and queues the lead', async () => {
    const { post, receipt, captureQueue } = await setup();
    const res = await post(googleWebhookBody(lead, KEY));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body ?? '')).toEqual({});
    expect(captureQueue.sent).toEqual([{ source: 'google', platformLeadId: lead.lead_id }]);
    const stored = await receipt(lead.lead_id);
    expect(stored).toMatchObject({
      status: 'received',
      payload: { leadId: lead.lead_id, formId: '349080077126', campaignId: '23729418209', isTest: false },
    });
    expect(JSON.stringify(stored)).not.toContain(KEY);
  });

  it('answers 401 and stores nothing for a wrong or missing key, before looking at the rest of the body', async () => {
    const { post, receipt, captureQueue } = await setup();
    const bodies = [
      googleWebhookBody(lead, 'wrong'),
      googleWebhookBody(lead, KEY.toUpperCase()),
      googleWebhookBody(lead, ''),
      JSON.stringify({ ...lead, google_key: undefined }),
      '{"google_key":"wrong"}',
      '{',
    ];
    for (const body of bodies) {
      const res = await post(body);
      expect(res.statusCode, body.slice(0, 40)).toBe(401);
      expect(JSON.parse(res.body ?? '{}')).toMatchObject({ error: 'bad_key', message: expect.any(String) });
    }
    expect(await receipt(lead.lead_id)).toBeUndefined();
    expect(captureQueue.sent).toEqual([]);
  });

  it('stores a lead whose other fields cannot be read, leaving out only those fields', async () => {
    const { post, receipt, captureQueue } = await setup();
    const body = googleWebhookBody({ ...lead, is_test: 'maybe', lead_submit_time: { at: 1 } } as never, KEY);
    const res = await post(body);
    expect(res.statusCode).toBe(200);
    expect(captureQueue.sent).toEqual([{ source: 'google', platformLeadId: lead.lead_id }]);
    const stored = await receipt(lead.lead_id);
    expect(stored).toMatchObject({ status: 'received', payload: { leadId: lead.lead_id, isTest: false } });
    expect(stored?.payload).not.toHaveProperty('submitTime');
  });

  it('quarantines a keyed body without a usable lead_id, without its key, and answers 200 (Google does not retry a 4xx)', async () => {
    const { post, receiptStore, captureQueue } = await setup();
    const body = JSON.stringify({ google_key: KEY, lead_id: '', user_column_data: [] });
    const res = await post(body);
    expect(res.statusCode).toBe(200);
    expect(captureQueue.sent).toEqual([]);
    const { receipts } = await receiptStore.listReceipts('google', 'quarantined', 10);
    expect(receipts).toMatchObject([
      {
        quarantineKind: 'delivery',
        statusReason: 'lead without a usable lead_id',
        payload: { raw: '{"lead_id":"","user_column_data":[]}' },
      },
    ]);
    expect(JSON.stringify(receipts)).not.toContain(KEY);
    expect((await post(body)).statusCode).toBe(200);
    expect(await receiptStore.countReceipts('google', 'quarantined')).toBe(1);
  });

  it('answers 200 {} to a redelivery without queueing it again', async () => {
    const { post, captureQueue } = await setup();
    expect((await post(googleWebhookBody(lead, KEY))).statusCode).toBe(200);
    const again = await post(googleWebhookBody(lead, KEY));
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe('{}');
    expect(captureQueue.sent).toHaveLength(1);
  });

  it('answers 5xx (Google retries) when the receipt cannot be stored, and the retry succeeds', async () => {
    const { receiptStore } = await freshStore();
    let failing = true;
    const flaky: ReceiptStore = {
      ...receiptStore,
      putReceipt: async (r) => {
        if (failing) throw new Error('ProvisionedThroughputExceeded');
        return receiptStore.putReceipt(r);
      },
    };
    const { post, captureQueue } = await setup({ receipts: flaky });
    const first = await post(googleWebhookBody(lead, KEY));
    expect(first.statusCode).toBe(500);
    expect(JSON.parse(first.body ?? '{}').message).toBeTypeOf('string');
    failing = false;
    expect((await post(googleWebhookBody(lead, KEY))).statusCode).toBe(200);
    expect(captureQueue.sent).toHaveLength(1);
  });

  it('answers 500, not 200, when the receipt is stored but cannot be queued', async () => {
    const t = await setup();
    t.deps.captureQueue.send = async () => {
      throw new Error('SQS unavailable');
    };
    expect((await t.post(googleWebhookBody(lead, KEY))).statusCode).toBe(500);
  });
});

describe('capture of Google Ads leads', () => {
  it('maps the stored lead: columns, custom question, attribution and gclid', async () => {
    const t = await setup();
    await t.post(googleWebhookBody(lead, KEY));
    const outcome = await capture(t.deps, t.captureQueue.sent[0] as CaptureMessage);
    if (outcome.status !== 'captured') throw new Error(`not captured: ${outcome.status}`);
    expect(t.captured()[0]).toMatchObject({ leadId: outcome.leadId, source: 'google' });
    expect(await t.store.getLead(outcome.leadId)).toMatchObject({
      source: 'google',
      platformLeadId: lead.lead_id,
      isTest: false,
      fullName: 'Priya Patel',
      email: 'priya.patel@globex.io',
      phone: '+14155550187',
      company: 'Globex',
      jobTitle: 'Head of Revenue Operations',
      postalCode: '94043',
      answers: [{ key: 'sales_team_size', label: 'How many sales reps do you have?', values: ['11-50'] }],
      attribution: {
        source: 'google',
        formId: '349080077126',
        campaignId: '23729418209',
        adSetId: '195583084496',
        adId: '684301726650',
        clickIds: { gclid: 'EAIaIQobChMI8pWf-lead-form' },
      },
    });
  });

  it('flags "Send test data" as a test lead', async () => {
    const t = await setup();
    const sample = googleTestLead();
    expect((await t.post(googleWebhookBody(sample, KEY))).statusCode).toBe(200);
    expect((await capture(t.deps, t.captureQueue.sent[0] as CaptureMessage)).status).toBe('captured');
    expect(t.captured()[0]).toMatchObject({ isTest: true, platformLeadId: sample.lead_id });
  });
});
