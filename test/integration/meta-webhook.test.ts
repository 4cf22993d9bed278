import { describe, expect, it } from 'vitest';
import { createWebhooksHttpHandler } from '../../lib/handlers/http-webhooks.js';
import type { CaptureMessage, ReceiptStore } from '../../lib/ports.js';
import { demoRequestLead, roofQuoteLead } from '../../lib/sandbox/meta-fixtures.js';
import { leadgenEntries, metaWebhookBody, signMetaBody } from '../../lib/sandbox/meta-webhook.js';
import { fakeDeps, fixedSecrets, httpEvent, recordingQueue } from '../support/fakes.js';
import { freshStore } from '../support/store.js';

const APP_SECRET = 'meta-app-secret';

async function setup(overrides: { receipts?: ReceiptStore; appSecret?: string | undefined } = {}) {
  const { store, receiptStore } = await freshStore();
  const captureQueue = recordingQueue<CaptureMessage>();
  const deps = fakeDeps({
    store,
    receipts: overrides.receipts ?? receiptStore,
    captureQueue,
    secrets: fixedSecrets({
      ...('appSecret' in overrides
        ? overrides.appSecret
          ? { META_APP_SECRET: overrides.appSecret }
          : {}
        : { META_APP_SECRET: APP_SECRET }),
      META_VERIFY_TOKEN: 'verify-me',
      LEADHUB_PEPPER: 'p',
    }),
  });
  const handler = createWebhooksHttpHandler(deps);
  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    handler(
      httpEvent({ method: 'POST', routeKey: 'POST /webhooks/meta', path: '/webhooks/meta', headers, body }),
    );
  const signed = (body: string, secret = APP_SECRET) =>
    post(body, { 'x-hub-signature-256': signMetaBody(body, secret) });
  const get = (query: Record<string, string>) =>
    handler(httpEvent({ method: 'GET', routeKey: 'GET /webhooks/meta', path: '/webhooks/meta', query }));
  const receipt = (id: string) => receiptStore.getReceipt({ source: 'meta', platformLeadId: id });
  return { store, receiptStore, captureQueue, post, signed, get, receipt };
}

const a = demoRequestLead('900000000000000001');
const b = demoRequestLead('900000000000000002');
const c = roofQuoteLead('900000000000000003');
const bodyFor = (...leads: (typeof a)[]) => metaWebhookBody(leadgenEntries(leads, 1764496800));
const json = (body: string | undefined) => JSON.parse(body ?? '{}') as Record<string, unknown>;

describe('GET /webhooks/meta (handshake)', () => {
  it('answers 200 text/plain with exactly the challenge', async () => {
    const { get } = await setup();
    const res = await get({
      'hub.mode': 'subscribe',
      'hub.challenge': '1158201444',
      'hub.verify_token': 'verify-me',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('1158201444');
    expect(res.headers?.['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('answers 403 for a wrong token, a wrong mode or a missing challenge', async () => {
    const { get } = await setup();
    const queries: Record<string, string>[] = [
      { 'hub.mode': 'subscribe', 'hub.challenge': '1', 'hub.verify_token': 'nope' },
      { 'hub.mode': 'unsubscribe', 'hub.challenge': '1', 'hub.verify_token': 'verify-me' },
      { 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-me' },
      {},
    ];
    for (const query of queries) {
      const res = await get(query);
      expect(res.statusCode, JSON.stringify(query)).toBe(403);
      expect(res.body).not.toContain('1');
    }
  });
});

describe('POST /webhooks/meta (deliveries)', () => {
  it('stores one receipt per leadgen change of a signed batch and queues each for capture', async () => {
    const { signed, captureQueue, receipt } = await setup();
    const res = await signed(bodyFor(a, b, c));
    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toMatchObject({ accepted: 3, duplicates: 0, ignored: 0 });
    // One message per lead; the receipts are written concurrently, so in no particular order.
    expect(captureQueue.sent).toHaveLength(3);
    expect(captureQueue.sent).toEqual(
      expect.arrayContaining([a, b, c].map((l) => ({ source: 'meta', platformLeadId: l.id }))),
    );
    const stored = await receipt(c.id);
    expect(stored).toMatchObject({
      status: 'received',
      payload: {
        leadgenId: '900000000000000003',
        pageId: c.pageId,
        formId: c.formId,
        adId: '120251304671210738',
        notifiedAt: new Date(1764496800 * 1000).toISOString(),
      },
    });
  });

  it('acknowledges a redelivery without storing or queueing it again', async () => {
    const { signed, captureQueue } = await setup();
    expect(json((await signed(bodyFor(a))).body)).toMatchObject({ accepted: 1, duplicates: 0 });
    const again = await signed(bodyFor(a, b));
    expect(again.statusCode).toBe(200);
    expect(json(again.body)).toMatchObject({ accepted: 1, duplicates: 1 });
    expect(captureQueue.sent.map((m) => m.platformLeadId)).toEqual([a.id, b.id]);
  });

  it('answers 200 and stores nothing for changes that are not leadgen', async () => {
    const { signed, captureQueue } = await setup();
    const body =
      '{"object":"page","entry":[{"id":1,"time":1,"changes":[{"field":"feed","value":{"item":"post"}}]}]}';
    const res = await signed(body);
    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toMatchObject({ accepted: 0, ignored: 1 });
    expect(captureQueue.sent).toEqual([]);
  });

  it('stores and queues a leadgen change whose form_id is not all digits, leaving out only the form id', async () => {
    const { signed, captureQueue, receipt } = await setup();
    const entries = leadgenEntries([a], 1764496800);
    const value = entries[0]?.changes[0]?.value as Record<string, unknown>;
    value.form_id = 'form-7';
    value.created_time = 'yesterday';
    const res = await signed(metaWebhookBody(entries));
    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(captureQueue.sent).toEqual([{ source: 'meta', platformLeadId: a.id }]);
    const stored = await receipt(a.id);
    expect(stored).toMatchObject({
      status: 'received',
      payload: { leadgenId: a.id, pageId: a.pageId, adId: a.adId },
    });
    expect(stored?.payload).not.toHaveProperty('formId');
    expect(stored?.payload).not.toHaveProperty('createdTime');
  });

  it('quarantines a leadgen change without a usable leadgen_id, answers 200, and a redelivery dedupes', async () => {
    const { signed, captureQueue, receiptStore } = await setup();
    const entries = leadgenEntries([b], 1764496800);
    entries[0]?.changes.push({ field: 'leadgen', value: { leadgen_id: 'lead-x', page_id: b.pageId } });
    const body = metaWebhookBody(entries);
    const res = await signed(body);
    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toMatchObject({ accepted: 1, quarantined: 1 });
    expect(captureQueue.sent).toEqual([{ source: 'meta', platformLeadId: b.id }]);

    const { receipts } = await receiptStore.listReceipts('meta', 'quarantined', 10);
    expect(receipts).toHaveLength(1);
    const [kept] = receipts;
    expect(kept?.platformLeadId).toMatch(/^q_[0-9a-f]{64}$/);
    expect(kept).toMatchObject({
      status: 'quarantined',
      quarantineKind: 'delivery',
      statusReason: 'leadgen change without a usable leadgen_id',
      payload: {
        raw: `{"field":"leadgen","value":{"leadgen_id":"lead-x","page_id":"${b.pageId}"}}`,
        context: { object: 'page', part: 'change', entryId: b.pageId, entryTime: '1764496800' },
      },
    });
    expect(await receiptStore.countReceipts('meta', 'quarantined')).toBe(1);

    const again = await signed(body);
    expect(again.statusCode).toBe(200);
    expect(json(again.body)).toMatchObject({ accepted: 0, duplicates: 1, quarantined: 1 });
    expect(await receiptStore.countReceipts('meta', 'quarantined')).toBe(1);
    expect(captureQueue.sent).toHaveLength(1);
  });

  it('quarantines an entry or change it cannot read instead of refusing the whole batch', async () => {
    const { signed, captureQueue, receiptStore } = await setup();
    const good = metaWebhookBody(leadgenEntries([a], 1764496800));
    const body = good.replace('"entry":[', '"entry":["x",{"id":1,"changes":[1,{"field":{}}]},');
    const res = await signed(body);
    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toMatchObject({ accepted: 1, quarantined: 3 });
    expect(captureQueue.sent).toEqual([{ source: 'meta', platformLeadId: a.id }]);
    const reasons = (await receiptStore.listReceipts('meta', 'quarantined', 10)).receipts.map(
      (r) => r.statusReason,
    );
    expect(reasons.sort()).toEqual([
      'change is not an object with a "field"',
      'change is not an object with a "field"',
      'entry is not an object with a "changes" list',
    ]);
  });

  it('answers 500 when an unreadable change cannot be kept, and the retry keeps it once', async () => {
    const { receiptStore } = await freshStore();
    let failing = true;
    const flaky: ReceiptStore = {
      ...receiptStore,
      putReceipt: async (r, o) => {
        if (failing && r.status === 'quarantined') throw new Error('ProvisionedThroughputExceeded');
        return receiptStore.putReceipt(r, o);
      },
    };
    const { signed } = await setup({ receipts: flaky });
    const body =
      '{"object":"page","entry":[{"id":1,"time":1,"changes":[{"field":"leadgen","value":{"page_id":1}}]}]}';
    expect((await signed(body)).statusCode).toBe(500);
    failing = false;
    expect((await signed(body)).statusCode).toBe(200);
    expect(await receiptStore.countReceipts('meta', 'quarantined')).toBe(1);
  });

  it('answers 401 and stores nothing without a valid signature', async () => {
    const { post, signed, captureQueue, receipt } = await setup();
    const body = bodyFor(a);
    const tampered = body.replace('900000000000000001', '900000000000000009');
    const cases = [
      await post(body),
      await post(body, { 'x-hub-signature-256': 'sha256=' }),
      await signed(body, 'not-the-secret'),
      await post(tampered, { 'x-hub-signature-256': signMetaBody(body, APP_SECRET) }),
    ];
    for (const res of cases) {
      expect(res.statusCode).toBe(401);
      expect(json(res.body).error).toBe('bad_signature');
    }
    expect(captureQueue.sent).toEqual([]);
    expect(await receipt(a.id)).toBeUndefined();
    expect(await receipt('900000000000000009')).toBeUndefined();
  });

  it('verifies a base64-encoded body on its raw bytes', async () => {
    const { post, captureQueue } = await setup();
    const bytes = Buffer.from(bodyFor(a));
    const res = await post(bytes, { 'x-hub-signature-256': signMetaBody(bytes, APP_SECRET) });
    expect(res.statusCode).toBe(200);
    expect(captureQueue.sent).toHaveLength(1);
  });

  it('answers 400 to a signed body that is not a webhook envelope', async () => {
    const { signed, captureQueue } = await setup();
    for (const body of ['{"object":"page"', '[]', '{"object":"page","entry":"x"}']) {
      const res = await signed(body);
      expect(res.statusCode, body).toBe(400);
      expect(json(res.body).error).toBe('malformed_body');
    }
    expect(captureQueue.sent).toEqual([]);
  });

  it('answers 500 when any receipt of the batch is not durable, and the retry completes the batch', async () => {
    const { receiptStore } = await freshStore();
    let failing = true;
    const flaky: ReceiptStore = {
      ...receiptStore,
      putReceipt: async (r) => {
        if (failing && r.platformLeadId === b.id) throw new Error('ProvisionedThroughputExceeded');
        return receiptStore.putReceipt(r);
      },
    };
    const { signed, captureQueue } = await setup({ receipts: flaky });
    const body = bodyFor(a, b, c);
    const first = await signed(body);
    expect(first.statusCode).toBe(500);
    failing = false;
    const retry = await signed(body);
    expect(retry.statusCode).toBe(200);
    expect(json(retry.body)).toMatchObject({ accepted: 1, duplicates: 2 });
    expect(new Set(captureQueue.sent.map((m) => m.platformLeadId))).toEqual(new Set([a.id, b.id, c.id]));
    expect(await receiptStore.getReceipt({ source: 'meta', platformLeadId: b.id })).toBeDefined();
  });

  it('answers 503 (so Meta keeps retrying) when the app secret is not configured', async () => {
    const { signed, captureQueue } = await setup({ appSecret: undefined });
    const res = await signed(bodyFor(a));
    expect(res.statusCode).toBe(503);
    expect(captureQueue.sent).toEqual([]);
  });

  it('takes a batch of 1000 changes', async () => {
    const { signed, captureQueue } = await setup();
    const leads = Array.from({ length: 1000 }, (_, i) =>
      demoRequestLead(`9000000000000${String(i).padStart(5, '0')}`),
    );
    const res = await signed(bodyFor(...leads));
    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toMatchObject({ accepted: 1000 });
    expect(new Set(captureQueue.sent.map((m) => m.platformLeadId)).size).toBe(1000);
  });
});
