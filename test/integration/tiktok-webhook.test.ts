import { describe, expect, it } from 'vitest';
import type { LeadCapturedV2 } from '../../events/contracts.js';
import { parseEnv } from '../../lib/config.js';
import { createWebhooksHttpHandler } from '../../lib/handlers/http-webhooks.js';
import { capture } from '../../lib/pipeline/capture.js';
import type { CaptureMessage, ReceiptStore, SecretName } from '../../lib/ports.js';
import {
  type SandboxTikTokLead,
  signTikTokBody,
  TIKTOK_ADVERTISER_ID,
  tiktokLead,
  tiktokMockLead,
  tiktokWebhookBody,
} from '../../lib/sandbox/tiktok-webhook.js';
import { fakeDeps, fixedSecrets, httpEvent, recordingBus, recordingQueue } from '../support/fakes.js';
import { freshStore } from '../support/store.js';

const TOKEN = 'tt-path-token-5f1c0de27a1b4c3e';
const APP_SECRET = 'tiktok-app-secret';

async function setup(
  options: {
    receipts?: ReceiptStore;
    secrets?: Partial<Record<SecretName, string>>;
    advertisers?: string;
  } = {},
) {
  const { store, receiptStore } = await freshStore();
  const captureQueue = recordingQueue<CaptureMessage>();
  const bus = recordingBus();
  const deps = fakeDeps({
    store,
    receipts: options.receipts ?? receiptStore,
    captureQueue,
    bus,
    env: parseEnv(options.advertisers ? { TIKTOK_ADVERTISER_IDS: options.advertisers } : {}),
    secrets: fixedSecrets({
      LEADHUB_PEPPER: 'p',
      TIKTOK_WEBHOOK_TOKEN: TOKEN,
      TIKTOK_APP_SECRET: APP_SECRET,
      ...options.secrets,
    }),
  });
  const handler = createWebhooksHttpHandler(deps);
  const post = (body: string | Buffer, headers: Record<string, string> = {}, token: string | null = TOKEN) =>
    handler(
      httpEvent({
        method: 'POST',
        routeKey: 'POST /webhooks/tiktok/{token}',
        path: `/webhooks/tiktok/${token ?? ''}`,
        ...(token === null ? {} : { pathParameters: { token } }),
        headers,
        body,
      }),
    );
  const deliver = (leads: SandboxTikTokLead[], sign?: string) => {
    const body = tiktokWebhookBody(leads);
    return post(body, sign ? { 'x-open-signature': signTikTokBody(body, sign) } : {});
  };
  const receipt = (lead: SandboxTikTokLead) =>
    receiptStore.getReceipt({ source: 'tiktok', platformLeadId: `${lead.advertiser_id}:${lead.id}` });
  const captured = () =>
    bus.events.filter((e) => e.detailType === 'LeadCaptured').map((e) => e.detail as LeadCapturedV2);
  return { deps, store, receiptStore, captureQueue, post, deliver, receipt, captured };
}

const a = tiktokLead('7301234567890123456');
const b = tiktokLead('7301234567890123457');
const json = (body: string | undefined) => JSON.parse(body ?? '{}') as Record<string, unknown>;

describe('POST /webhooks/tiktok/{token}', () => {
  it('answers 404 and stores nothing for a wrong or missing path token', async () => {
    const { post, captureQueue, receipt } = await setup();
    const body = tiktokWebhookBody([a]);
    for (const token of ['wrong', `${TOKEN}x`, TOKEN.slice(0, -1), TOKEN.toUpperCase(), '', null]) {
      const res = await post(body, { 'x-open-signature': signTikTokBody(body, APP_SECRET) }, token);
      expect(res.statusCode, String(token)).toBe(404);
    }
    expect(captureQueue.sent).toEqual([]);
    expect(await receipt(a)).toBeUndefined();
  });

  it('stores an unsigned delivery under the dedupe key, exact ids, and records the token as its only check', async () => {
    const { deliver, captureQueue, receipt } = await setup();
    const body = tiktokWebhookBody([a]);
    expect(body).toContain('"id":7301234567890123456');
    const res = await deliver([a]);
    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toMatchObject({ accepted: 1, duplicates: 0 });
    const key = `${TIKTOK_ADVERTISER_ID}:7301234567890123456`;
    expect(captureQueue.sent).toEqual([{ source: 'tiktok', platformLeadId: key }]);
    expect(await receipt(a)).toMatchObject({
      status: 'received',
      payload: {
        leadId: '7301234567890123456',
        advertiserId: TIKTOK_ADVERTISER_ID,
        pageId: '7643847475366904072',
        adId: '1800000000000003',
        changes: a.changes,
        trust: { pathToken: 'passed', signature: 'absent', advertiser: 'no_allow_list' },
      },
    });
  });

  it('verifies X-Open-Signature when present and records it', async () => {
    const { deliver, receipt } = await setup();
    expect((await deliver([a], APP_SECRET)).statusCode).toBe(200);
    expect(await receipt(a)).toMatchObject({
      payload: { trust: { pathToken: 'passed', signature: 'verified', signedOver: 'raw' } },
    });
  });

  it('answers 401 and stores nothing when X-Open-Signature does not match', async () => {
    const { post, deliver, captureQueue, receipt } = await setup();
    expect((await deliver([a], 'not-the-secret')).statusCode).toBe(401);
    const body = tiktokWebhookBody([a]);
    expect((await post(body, { 'x-open-signature': 'garbage' })).statusCode).toBe(401);
    expect(
      (
        await post(body.replace('Video A', 'Video B'), {
          'x-open-signature': signTikTokBody(body, APP_SECRET),
        })
      ).statusCode,
    ).toBe(401);
    expect(captureQueue.sent).toEqual([]);
    expect(await receipt(a)).toBeUndefined();
  });

  it('records a signature it cannot check when TIKTOK_APP_SECRET is not configured', async () => {
    const { deliver, receipt } = await setup({ secrets: { TIKTOK_APP_SECRET: '' } });
    expect((await deliver([a], 'whatever')).statusCode).toBe(200);
    expect(await receipt(a)).toMatchObject({ payload: { trust: { signature: 'unchecked' } } });
  });

  it('accepts only allow-listed advertisers when TIKTOK_ADVERTISER_IDS is set', async () => {
    const other = tiktokLead('7301234567890123458', { advertiser_id: '7000000000000000001' });
    const { deliver, captureQueue, receipt } = await setup({ advertisers: `${TIKTOK_ADVERTISER_ID},42` });
    const mixed = await deliver([a, other]);
    expect(json(mixed.body)).toMatchObject({ accepted: 1, rejected: 1 });
    expect(await receipt(a)).toMatchObject({ payload: { trust: { advertiser: 'allow_listed' } } });
    expect(await receipt(other)).toBeUndefined();
    const refused = await deliver([other]);
    expect(refused.statusCode).toBe(403);
    expect(captureQueue.sent).toHaveLength(1);
  });

  it('acknowledges other subscriptions (object 2, 3, …) sharing the URL, storing nothing', async () => {
    const { post, captureQueue } = await setup();
    const res = await post(tiktokWebhookBody([a], { object: 3 }));
    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toMatchObject({ accepted: 0, ignored: 1 });
    expect(captureQueue.sent).toEqual([]);
  });

  it('takes a batch, and acknowledges redeliveries without queueing them again', async () => {
    const { deliver, captureQueue } = await setup();
    expect(json((await deliver([a, b])).body)).toMatchObject({ accepted: 2 });
    const again = await deliver([a, b, a]);
    expect(json(again.body)).toMatchObject({ accepted: 0, duplicates: 3 });
    expect(captureQueue.sent).toHaveLength(2);
  });

  it('stores a lead whose other fields cannot be read, leaving out only those fields', async () => {
    const { deliver, captureQueue, receipt } = await setup();
    const odd = { ...a, campaign_id: 'camp-1', create_time: { at: 1 } } as never as SandboxTikTokLead;
    const res = await deliver([odd]);
    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toMatchObject({ accepted: 1, quarantined: 0 });
    expect(captureQueue.sent).toHaveLength(1);
    const stored = await receipt(a);
    expect(stored?.payload).toMatchObject({ leadId: a.id, advertiserId: a.advertiser_id });
    expect(stored?.payload).not.toHaveProperty('campaignId');
  });

  it('quarantines a lead entry without a usable id, with how the delivery was checked, and answers 200', async () => {
    const { deliver, captureQueue, receiptStore } = await setup();
    const res = await deliver([b, { ...a, id: 'lead-one' }], APP_SECRET);
    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toMatchObject({ accepted: 1, quarantined: 1 });
    expect(captureQueue.sent).toHaveLength(1);
    const { receipts } = await receiptStore.listReceipts('tiktok', 'quarantined', 10);
    expect(receipts).toMatchObject([
      {
        quarantineKind: 'delivery',
        statusReason: 'lead entry without a usable id',
        payload: { context: { object: '1', signature: 'verified', signedOver: 'raw' } },
      },
    ]);
  });

  it('answers 400 to a body that is not a delivery and 413 to an oversized one', async () => {
    const { post } = await setup();
    expect((await post('{"object":')).statusCode).toBe(400);
    expect((await post('[]')).statusCode).toBe(400);
    expect((await post(`{"object":1,"entry":[],"pad":"${'x'.repeat(300 * 1024)}"}`)).statusCode).toBe(413);
  });

  it('answers 500 when a receipt is not durable, and the retry completes', async () => {
    const { receiptStore } = await freshStore();
    let failing = true;
    const flaky: ReceiptStore = {
      ...receiptStore,
      putReceipt: async (r) => {
        if (failing && r.platformLeadId.endsWith(b.id)) throw new Error('ProvisionedThroughputExceeded');
        return receiptStore.putReceipt(r);
      },
    };
    const { deliver, captureQueue } = await setup({ receipts: flaky });
    expect((await deliver([a, b])).statusCode).toBe(500);
    failing = false;
    const retry = await deliver([a, b]);
    expect(json(retry.body)).toMatchObject({ accepted: 1, duplicates: 1 });
    expect(captureQueue.sent).toHaveLength(2);
  });
});

describe('capture of TikTok leads', () => {
  it('maps the stored delivery into a lead (nothing is fetched)', async () => {
    const t = await setup();
    await t.deliver([a], APP_SECRET);
    const outcome = await capture(t.deps, t.captureQueue.sent[0] as CaptureMessage);
    if (outcome.status !== 'captured') throw new Error(`not captured: ${outcome.status}`);
    expect(t.captured()[0]).toMatchObject({ leadId: outcome.leadId, consents: [] });
    expect(await t.store.getLead(outcome.leadId)).toMatchObject({
      source: 'tiktok',
      platformLeadId: `${TIKTOK_ADVERTISER_ID}:7301234567890123456`,
      isTest: false,
      fullName: 'Jade Nguyen',
      email: 'jade.nguyen@example.com',
      phone: '+14155550142',
      postalCode: '94110',
      attribution: {
        formId: '7643847475366904072',
        campaignId: '1800000000000001',
        adId: '1800000000000003',
      },
      answers: [{ key: 'What do you need?', values: ['Roof repair'] }],
      consents: [],
    });
  });

  it('flags a mock lead (no ad) as a test', async () => {
    const t = await setup();
    await t.deliver([tiktokMockLead('7301234567890123999')]);
    expect((await capture(t.deps, t.captureQueue.sent[0] as CaptureMessage)).status).toBe('captured');
    expect(t.captured()[0]?.isTest).toBe(true);
  });
});
